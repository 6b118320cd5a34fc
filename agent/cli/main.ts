#!/usr/bin/env node
import { ConfigError, formatProblem } from '../core/config/problems.js';
import { agentVersion } from '../core/version.js';
import { EXIT } from './exit-codes.js';
import { processIO, UsageError, type CliIO } from './io.js';

export const MAIN_HELP = `Guardpost ${agentVersion()} — 定点医药机构结算终端监控代理 / settlement-terminal monitoring agent

用法 / usage: guardpost <command> [options]

  run                      run the agent (the service)
  init                     set-up wizard: detect readers and USBKeys, ask for the site, write the config
  doctor                   check this installation: file modes, devices, desk, certificates, clock, service
  check [ID...]            run checks once now and print what they found (exit 0/1/2/3 by worst grade)
  status                   show the running agent's state
  report [--month YYYY-MM] [--format html|json|pdf] [--out FILE]  the monthly inspection report (巡检报告)
  assist list|approve|deny|end [ID]  answer remote-assistance requests (as the page does)
  audit verify [FILE]      check the remote-assistance audit log's hash chain (exit 1 at the first bad record)
  config validate FILE     check a configuration file (exit 78 with every problem listed)
  config example           print a complete example configuration (--profile terminal|certserver)
  docs TOPIC               print a contract document of docs/: faults, config, protocol, api or metrics
  enroll --desk URL --code CODE --desk-pin PIN   connect this terminal to the desk with a one-time code
  desk [init|issue|run]    the reference central desk: create it, issue agent certificates, run it
  desk-cli <command>       the desk's engineer tools: agents, faults, ack, timeline, report, token,
                           assist, diag, forward, audit (remote assistance)
  emulate-reader           a serial card reader emulator with fault injection (--pair makes its device)
  version                  print the version

  guardpost <command> --help  for the command's options.
`;

type Command = (argv: string[], io: CliIO) => Promise<number>;

/**
 * Each command's module loads only when that command runs: the agent on a till PC must not carry the desk's SQLite,
 * the emulator or the page's code in memory just because one binary serves them all (bench/agent-memory).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.js')).runCommand,
  check: async () => (await import('./check-command.js')).checkCommand,
  status: async () => (await import('./status-command.js')).statusCommand,
  report: async () => (await import('./report-command.js')).reportCommand,
  config: async () => (await import('./config-command.js')).configCommand,
  docs: async () => (await import('./docs-command.js')).docsCommand,
  desk: async () => (await import('./desk-command.js')).deskCommand,
  'desk-cli': async () => (await import('./desk-cli-command.js')).deskCliCommand,
  'emulate-reader': async () => (await import('./emulate-reader-command.js')).emulateReaderCommand,
  audit: async () => (await import('./audit-command.js')).auditCommand,
  enroll: async () => (await import('./enroll-command.js')).enrollCommand,
  init: async () => (await import('./init-command.js')).initCommand,
  doctor: async () => (await import('./doctor-command.js')).doctorCommand,
  assist: async () => (await import('./assist-command.js')).assistCommand,
  version: async () => async (_argv, io) => (io.out(agentVersion()), EXIT.ok),
};

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(MAIN_HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-V') return (await COMMANDS.version!())(rest, io);
  const load = COMMANDS[name];
  try {
    if (!load) throw new UsageError(`unknown command "${name}"`);
    return await (await load())(rest, io);
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
