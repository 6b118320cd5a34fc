import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { CONTROL_HELP, ControlCommandError, describeEmulator, runControlCommand } from '../../firmware-bridge/emulator/emulator-control.js';
import { socatDevicePort, type EmulatorPort } from '../../firmware-bridge/emulator/emulator-port.js';
import { ReaderEmulator } from '../../firmware-bridge/emulator/reader-emulator.js';
import { serialDevicePort } from '../../firmware-bridge/emulator/serial-device-port.js';
import { DEFAULT_PROFILE_ID, getReaderProfile, READER_PROFILES } from '../../firmware-bridge/profiles/index.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const EMULATE_READER_HELP = `用法 / usage: guardpost emulate-reader (--port PATH | --pair [--port PATH]) [options]
  Emulates a serial card reader (模拟读卡器) for trying the reader check, the bridge and the demo without hardware.
  It answers status, version, beep and self-test; it has no card data at all (presence and an ATR only).

  --port PATH          speak on this existing serial device (a real port wired by null-modem cable, or one end of a
                       pty pair); "unplug" closes it, like a pulled RS-232 cable. With --pair: where the reader's
                       device node is created (default ${join(tmpdir(), 'guardpost-reader0')})
  --pair               create the device node with socat, like a USB-serial reader: "unplug" removes PATH, "replug"
                       makes it again. Prints both ends of the pair
  --profile ID         protocol profile (default ${DEFAULT_PROFILE_ID}; known: ${Object.keys(READER_PROFILES).join(', ')})
  --firmware VERSION   firmware version it reports (default EMU-1.0.0)
  --baud N             line speed for --port (default: the profile's)
  --card               start with a card in the reader
  --control FIFO       also take commands from this named pipe (made if missing): echo unplug > FIFO
  -v, --verbose        print every request and reply

  Control while it runs — type on stdin, or write to the --control pipe, one command per line:
${CONTROL_HELP.split('\n').slice(1).map((l) => `  ${l}`).join('\n')}
  Signals: SIGUSR1 unplug / replug (toggles), SIGUSR2 hardware fault on / off, SIGINT or SIGTERM quit.

  Example: guardpost emulate-reader --pair --port /tmp/reader0     then point a reader check at /tmp/reader0
`;

export async function emulateReaderCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      pair: { type: 'boolean' },
      profile: { type: 'string' },
      firmware: { type: 'string' },
      baud: { type: 'string' },
      card: { type: 'boolean' },
      control: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return io.out(EMULATE_READER_HELP), EXIT.ok;
  if (!values.port && !values.pair) throw new UsageError('emulate-reader needs --port PATH or --pair (see --help)');
  let profile;
  try {
    profile = getReaderProfile(values.profile ?? DEFAULT_PROFILE_ID);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const baud = values.baud === undefined ? profile.serialDefaults.baudRate : Number(values.baud);
  if (!Number.isInteger(baud) || baud <= 0) throw new UsageError(`--baud: "${values.baud}" is not a line speed`);

  let port: EmulatorPort;
  let hostPath: string;
  if (values.pair) {
    hostPath = values.port ?? join(tmpdir(), 'guardpost-reader0');
    mkdirSync(dirname(hostPath), { recursive: true });
    port = socatDevicePort(hostPath);
  } else {
    hostPath = values.port!;
    if (!existsSync(hostPath)) throw new UsageError(`--port ${hostPath}: no such device (use --pair to create one)`);
    port = serialDevicePort(hostPath, { ...profile.serialDefaults, baudRate: baud });
  }
  const emulator = new ReaderEmulator({ profile, port, ...(values.firmware ? { firmwareVersion: values.firmware } : {}) });
  if (values.card) emulator.insertCard();
  if (values.verbose) {
    emulator.on('request', (r: { cmd: number; data: Uint8Array }) => io.out(`<- request cmd 0x${r.cmd.toString(16)} data ${Buffer.from(r.data).toString('hex') || '-'}`));
    emulator.on('reply', (bytes: Buffer) => io.out(`-> reply ${bytes.toString('hex')}`));
  }
  try {
    await emulator.plug();
  } catch (error) {
    io.err(`guardpost emulate-reader: cannot open ${port.description}: ${(error as Error).message}`);
    return EXIT.unavailable;
  }
  // Made before the "running" lines, so whoever waits for them can write to it at once.
  const early: string[] = []; // lines that arrive before the command loop below starts
  let dispatch: (line: string) => void = (line) => early.push(line);
  const control = values.control ? controlPipeLines(values.control, (line) => dispatch(line)) : undefined;
  io.out(`reader emulator (${profile.id}, firmware ${emulator.snapshot().firmwareVersion}) running, pid ${process.pid}`);
  io.out(`  reader device (point the reader check or the settlement software here): ${hostPath}`);
  if (values.pair) io.out(`  emulator end of the socat pair: ${hostPath}.emulator`);
  io.out('  type "help" for commands; Ctrl-C to quit');

  return new Promise<number>((resolve) => {
    let stopping = false;
    // Commands run one at a time, in the order they came, from whichever input.
    let queue = Promise.resolve();
    const run = (line: string) => {
      queue = queue.then(async () => {
        if (stopping) return;
        try {
          const answer = await runControlCommand(emulator, line);
          if (answer) io.out(answer);
        } catch (error) {
          io.err(error instanceof ControlCommandError ? error.message : `error: ${(error as Error).message}`);
        }
      });
    };
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      control?.stop();
      void queue.then(async () => {
        await emulator.unplug().catch(() => undefined);
        io.out(`stopped (${signal})`);
        resolve(EXIT.ok);
      });
    };
    dispatch = run;
    early.splice(0).forEach(run);
    lines(process.stdin, run);
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGUSR1', () => run(emulator.plugged ? 'unplug' : 'replug'));
    process.on('SIGUSR2', () => run(`hw ${emulator.snapshot().hardwareFault ? 'off' : 'on'}`));
    process.on('SIGHUP', () => io.out(describeEmulator(emulator)));
  });
}

function lines(input: Readable, onLine: (line: string) => void): void {
  // A closed or absent stdin (a service, `< /dev/null`) simply ends: signals and the pipe still work.
  createInterface({ input, terminal: false }).on('line', onLine);
}

/**
 * Lines written into a named pipe, for as long as we run. Read by `cat` in a child process, restarted after each
 * writer closes: a read blocked in our own thread pool would keep this process from ever exiting (Node joins its
 * pool threads at exit), and libuv will not poll a FIFO for us.
 */
function controlPipeLines(path: string, onLine: (line: string) => void): { stop(): void } {
  if (!existsSync(path)) {
    const made = spawnSync('mkfifo', [path]);
    if (made.status !== 0) throw new UsageError(`--control ${path}: cannot make a named pipe (${made.stderr?.toString().trim() || made.error?.message})`);
  } else if (!lstatSync(path).isFIFO()) {
    throw new UsageError(`--control ${path}: exists and is not a named pipe`);
  }
  let stopped = false;
  let reader: ChildProcess | undefined;
  const start = () => {
    if (stopped) return;
    const cat = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'ignore'] });
    reader = cat;
    lines(cat.stdout, onLine);
    cat.once('exit', () => setImmediate(start));
  };
  start();
  return {
    stop() {
      stopped = true;
      reader?.kill('SIGTERM');
    },
  };
}
