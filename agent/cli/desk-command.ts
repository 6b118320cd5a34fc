import { parseArgs } from 'node:util';
import { Desk } from '../../desk/desk.js';
import { initDesk, issueAgent } from '../../desk/init.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const DESK_HELP = `用法 / usage: guardpost desk [run] [--dir DIR]
       guardpost desk init [--dir DIR] [--name HOST ...] [--agents-port 8443] [--api-port 8444] [--enroll-port 8445] [--listen ADDR]
       guardpost desk issue --agent ID [--dir DIR] [--out DIR] [--days N] [--passphrase-env VAR]
  The reference central desk (DIR: --dir, else $GUARDPOST_DESK_DIR).
  run     run the desk until SIGTERM/SIGINT: agents' wss endpoint (mutual TLS) and the engineer API (https, tokens)
  init    create the desk: its CA, server certificate for the --name(s) (plus localhost, 127.0.0.1) and desk.json;
          prints the pin agents use. Never overwrites an existing desk.
  issue   issue an agent's client certificate by hand (until enrollment is automated) and print its "desk" config
          section; --passphrase-env encrypts the key with the passphrase in that environment variable
`;

function deskDir(dir: string | undefined, io: CliIO): string {
  const d = dir ?? io.env.GUARDPOST_DESK_DIR;
  if (!d) throw new UsageError('which desk? pass --dir DIR or set GUARDPOST_DESK_DIR');
  return d;
}

function port(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${name} must be a port number, got "${raw}"`);
  return n;
}

export async function deskCommand(argv: string[], io: CliIO): Promise<number> {
  const sub = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'run';
  const rest = sub === argv[0] ? argv.slice(1) : argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string', short: 'd' },
      name: { type: 'string', multiple: true },
      'agents-port': { type: 'string' },
      'api-port': { type: 'string' },
      'enroll-port': { type: 'string' },
      listen: { type: 'string' },
      agent: { type: 'string' },
      out: { type: 'string' },
      days: { type: 'string' },
      'passphrase-env': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return io.out(DESK_HELP), EXIT.ok;
  const dir = deskDir(values.dir, io);
  if (sub === 'init') {
    const r = await initDesk({
      dir,
      names: values.name ?? ['localhost'],
      agentsPort: port(values['agents-port'], 8443, '--agents-port'),
      apiPort: port(values['api-port'], 8444, '--api-port'),
      enrollPort: port(values['enroll-port'], 8445, '--enroll-port'),
      ...(values.listen ? { agentsHost: values.listen } : {}),
    });
    io.out(
      [
        `服务台已创建 / desk created: ${r.configFile}`,
        `agents connect to: ${r.url}`,
        `pin for agents (desk.pins): ${r.caPin}   (CA; the server key is ${r.serverPin})`,
        `next: guardpost desk --dir ${dir}; guardpost desk-cli token create <name> --save --dir ${dir}; then per terminal guardpost desk-cli enroll-code --site <institution code> --dir ${dir} (or by hand: guardpost desk issue --dir ${dir} --agent <agent id>)`,
      ].join('\n'),
    );
    return EXIT.ok;
  }
  if (sub === 'issue') {
    if (!values.agent) throw new UsageError('issue needs --agent ID (the agent id, e.g. P44010600123-POS-01)');
    let passphrase: string | undefined;
    if (values['passphrase-env']) {
      passphrase = io.env[values['passphrase-env']];
      if (!passphrase) throw new UsageError(`environment variable ${values['passphrase-env']} is not set or empty`);
    }
    const days = values.days === undefined ? 825 : Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError(`--days must be 1–3650, got "${values.days}"`);
    const section = await issueAgent(dir, values.agent, values.out ?? `${dir}/agents/${values.agent}`, passphrase, days);
    const desk = passphrase ? { ...section, keyPassphrase: { env: values['passphrase-env'] } } : section;
    io.out(JSON.stringify({ desk }, null, 2));
    return EXIT.ok;
  }
  if (sub !== 'run') throw new UsageError(`unknown desk subcommand "${sub}" (init, issue, run)`);
  const desk = await Desk.start({ dir });
  io.out(`Guardpost desk — agents wss://${desk.config.name}:${desk.agentsPort}/agent — engineer API https://${desk.config.api.host}:${desk.apiPort}/api/v1`);
  return new Promise<number>((resolve) => {
    const stop = () => void desk.stop().then(() => resolve(EXIT.ok), () => resolve(EXIT.software));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
