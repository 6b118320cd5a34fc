import { renderFaultsMarkdown } from '../core/faults/render-docs.js';
import { createContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const DOCS_HELP = `用法 / usage: guardpost docs faults
  Prints the fault catalogue as Markdown (the source of docs/faults.md).
`;

export async function docsCommand(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') return io.out(DOCS_HELP), EXIT.ok;
  if (argv[0] !== 'faults') throw new UsageError('docs takes one topic: faults');
  const ctx = createContext(io.env);
  io.out(renderFaultsMarkdown(ctx.catalogue, ctx.plugins));
  return EXIT.ok;
}
