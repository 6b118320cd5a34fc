#!/usr/bin/env node
import { ConfigError, formatProblem } from '../core/config/problems.js';
import { agentVersion } from '../core/version.js';
import { checkCommand } from './check-command.js';
import { configCommand } from './config-command.js';
import { docsCommand } from './docs-command.js';
import { emulateReaderCommand } from './emulate-reader-command.js';
import { EXIT } from './exit-codes.js';
import { processIO, UsageError, type CliIO } from './io.js';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';

export const MAIN_HELP = `Guardpost ${agentVersion()} — 定点医药机构结算终端监控代理 / settlement-terminal monitoring agent

用法 / usage: guardpost <command> [options]

  run                      run the agent (the service)
  check [ID...]            run checks once now and print what they found (exit 0/1/2/3 by worst grade)
  status                   show the running agent's state
  config validate FILE     check a configuration file (exit 78 with every problem listed)
  config example           print a complete example configuration (--profile terminal|certserver)
  docs faults|config       print the fault catalogue or the configuration reference (docs/)
  emulate-reader           a serial card reader emulator with fault injection (--pair makes its device)
  version                  print the version

  guardpost <command> --help  for the command's options.
`;

const COMMANDS: Record<string, (argv: string[], io: CliIO) => Promise<number>> = {
  run: runCommand,
  check: checkCommand,
  status: statusCommand,
  config: configCommand,
  docs: docsCommand,
  'emulate-reader': emulateReaderCommand,
  version: async (_argv, io) => (io.out(agentVersion()), EXIT.ok),
};

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(MAIN_HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-V') return COMMANDS.version!(rest, io);
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return await command(rest, io);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`配置错误 / configuration error in ${err.source}:\n${err.problems.map(formatProblem).join('\n')}`);
      return EXIT.config;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`guardpost: ${(err as Error).message}\n(guardpost --help lists the commands)`);
      return EXIT.usage;
    }
    io.err(`guardpost: ${(err as Error).stack ?? String(err)}`);
    return EXIT.software;
  }
}
