import { Type } from '../../../core/schema/type.js';

/** The channel-open params of a forward: the one target, written as in assist.forwardTargets. */
export const ForwardParamsSchema = Type.Object(
  { target: Type.String({ minLength: 3, maxLength: 262, description: '"host:port" or "[v6]:port"' }) },
  { additionalProperties: false },
);

export interface ForwardParams {
  target: string;
}
