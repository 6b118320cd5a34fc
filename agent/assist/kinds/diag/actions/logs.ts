import { Type } from '../../../../core/schema/type.js';
import { redactLine } from '../redact.js';
import { tailLines } from '../tail.js';
import { DiagArgsError, type DiagAction } from './action.js';

/** The most bytes read from a log's end for one tail: 2000 long lines, not the whole file. */
export const TAIL_MAX_BYTES = 2 * 1024 * 1024;

export const tailLog: DiagAction<{ log: string; lines: number }> = {
  name: 'tail-log',
  args: Type.Object(
    {
      log: Type.String({ minLength: 1, maxLength: 1000, description: '"agent", or "<logs check id>:<file>"' }),
      lines: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, default: 200 })),
    },
    { additionalProperties: false },
  ),
  run: async ({ log, lines }, host) => {
    const sources = await host.logSources();
    const source = sources.find((s) => s.name === log);
    if (!source) {
      const names = sources.map((s) => s.name);
      const shown = names.slice(0, 20).join(', ') + (names.length > 20 ? `, … (${names.length - 20} more)` : '');
      throw new DiagArgsError(`args.log: unknown log "${log}"; known: ${shown}`);
    }
    const tail = await tailLines(source.file, lines, TAIL_MAX_BYTES, source.encoding);
    const text = tail.lines.map(redactLine).join('\n');
    return {
      contentType: 'text/plain',
      body: Buffer.from(text ? `${text}\n` : ''),
      summary: `tail ${tail.lines.length} lines of ${log}${tail.cut ? ` (last ${Math.round(TAIL_MAX_BYTES / 1024)} KB only)` : ''}`,
    };
  },
};
