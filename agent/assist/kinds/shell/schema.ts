import { Type } from '../../../core/schema/type.js';

/** The channel-open params of a shell: the engineer's terminal type and window size. */
export const ShellParamsSchema = Type.Object(
  {
    cols: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 80 })),
    rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 24 })),
    term: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._+-]{1,64}$', default: 'xterm-256color', description: 'a terminal type name (TERM)' })),
  },
  { additionalProperties: false },
);

export interface ShellParams {
  cols: number;
  rows: number;
  term: string;
}
