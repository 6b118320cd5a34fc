import { parseArgs } from 'node:util';
import { exampleConfig } from '../core/config/example.js';
import { loadConfigFile } from '../core/config/load.js';
import { createContext, loadOptions } from './context.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const CONFIG_HELP = `用法 / usage:
  guardpost config validate FILE           check a configuration file; lists every problem by path (exit 78 if any)
  guardpost config example [--profile P]   print a complete, valid example (P: terminal | certserver)
`;

export async function configCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    io.out(CONFIG_HELP);
    return sub ? EXIT.ok : EXIT.usage;
  }
  const ctx = await createContext(io.env);
  if (sub === 'validate') {
    const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) return io.out(CONFIG_HELP), EXIT.ok;
    if (positionals.length !== 1) throw new UsageError('config validate takes exactly one FILE');
    const cfg = loadConfigFile(positionals[0]!, loadOptions(ctx));
    const enabled = cfg.checks.filter((c) => c.enabled);
    io.out(`${positionals[0]}: OK — agent ${cfg.agent.id}, ${enabled.length} check(s) enabled: ${enabled.map((c) => c.id).join(', ')}`);
    return EXIT.ok;
  }
  if (sub === 'example') {
    const { values } = parseArgs({ args: rest, options: { profile: { type: 'string', default: 'terminal' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) return io.out(CONFIG_HELP), EXIT.ok;
    if (values.profile !== 'terminal' && values.profile !== 'certserver') {
      throw new UsageError(`--profile must be terminal or certserver, got "${values.profile}"`);
    }
    io.out(JSON.stringify(exampleConfig(ctx.plugins, ctx.platform, values.profile), null, 2));
    return EXIT.ok;
  }
  throw new UsageError(`unknown config subcommand "${sub}"`);
}
