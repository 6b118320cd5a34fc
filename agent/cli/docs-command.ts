import { renderConfigMarkdown } from '../core/config/render-docs.js';
import { renderFaultsMarkdown } from '../core/faults/render-docs.js';
import { createContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const DOCS_HELP = `用法 / usage: guardpost docs faults|config
  faults   the fault catalogue and the closed list of probe reasons (docs/faults.md)
  config   the configuration reference (docs/config.md)
`;

export async function docsCommand(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') return io.out(DOCS_HELP), EXIT.ok;
  const ctx = createContext(io.env);
  if (argv[0] === 'faults') io.out(renderFaultsMarkdown(ctx.catalogue, ctx.plugins));
  else if (argv[0] === 'config') io.out(renderConfigMarkdown(ctx.plugins));
  else throw new UsageError('docs takes one topic: faults or config');
  return EXIT.ok;
}
