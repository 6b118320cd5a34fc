import { Type } from '../../../core/schema/type.js';

/** The channel-open params of a diag channel: which action, and its arguments as a JSON object in a string. */
export const DiagParamsSchema = Type.Object(
  {
    action: Type.String({ minLength: 1, maxLength: 64, description: 'one of the fixed actions (see README.md)' }),
    args: Type.Optional(Type.String({ maxLength: 1024, description: "the action's arguments: a JSON object" })),
  },
  { additionalProperties: false },
);

export interface DiagParams {
  action: string;
  args?: string;
}
