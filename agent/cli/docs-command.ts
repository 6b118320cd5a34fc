import { renderConfigMarkdown } from '../core/config/render-docs.js';
import { renderFaultsMarkdown } from '../core/faults/render-docs.js';
import { createContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const DOCS_HELP = `用法 / usage: guardpost docs faults|config|protocol|api|metrics|desk-runbooks
  faults     the fault catalogue and the closed list of probe reasons (docs/faults.md)
  config     the configuration reference (docs/config.md)
  protocol   the desk protocol: messages, close codes, limits (docs/protocol.md)
  api        the local API and the desk's engineer API: routes, auth, parameters, responses (docs/api.md)
  metrics    the metrics of GET /metrics: names, types, labels (docs/metrics.md)
  desk-runbooks  the fault catalogue's runbooks as the desk's data module (desk/fault-runbooks.ts)
`;

/** Each topic's renderer, loaded only when asked for: the API one pulls in the web and desk route modules. */
const TOPICS: Record<string, (io: CliIO) => Promise<string>> = {
  faults: async (io) => {
    const ctx = await createContext(io.env);
    return renderFaultsMarkdown(ctx.catalogue, ctx.plugins);
  },
  config: async (io) => renderConfigMarkdown((await createContext(io.env)).plugins),
  protocol: async () => (await import('../tunnel/protocol/render-docs.js')).renderProtocolMarkdown(),
  api: async () => {
    const [{ renderApiMarkdown }, { LOCAL_API_DOC }, { ENGINEER_API_DOC }, { ENROLL_API_DOC }] = await Promise.all([
      import('../core/schema/render-routes.js'),
      import('../web/routes.js'),
      import('../../desk/api/engineer-routes.js'),
      import('../../desk/enroll/enroll-routes.js'),
    ]);
    return renderApiMarkdown([LOCAL_API_DOC, ENGINEER_API_DOC, ENROLL_API_DOC]);
  },
  metrics: async () => (await import('../web/metrics-docs.js')).renderMetricsMarkdown(),
  'desk-runbooks': async (io) => {
    const { renderDeskRunbooks } = await import('../core/faults/render-desk-runbooks.js');
    return renderDeskRunbooks((await createContext(io.env)).catalogue);
  },
};

export async function docsCommand(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') return io.out(DOCS_HELP), EXIT.ok;
  const render = argv.length === 1 ? TOPICS[argv[0]!] : undefined;
  if (!render) throw new UsageError(`docs takes one topic: ${Object.keys(TOPICS).join(', ')}`);
  io.out(await render(io));
  return EXIT.ok;
}
