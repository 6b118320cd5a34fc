import { main } from '../../../agent/cli/main.js';
import type { CliIO } from '../../../agent/cli/io.js';

/** The real `guardpost` CLI, in process, with its output captured. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => void (out += `${s}\n`), err: (s) => void (err += `${s}\n`), env };
  const code = await main(args, io);
  return { code, out, err };
}
