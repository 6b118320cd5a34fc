import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/*
 * A real pcscd with vsmartcard's virtual reader (vpcd) and card (vicc), for tests and benches.
 *
 * pcscd 1.9.9 (Debian 12) has its socket and pid file compiled in (/run/pcscd/pcscd.comm, /run/pcscd/pcscd.pid),
 * so there is one daemon per machine: the harness refuses to touch a pcscd it did not start, and a lock directory
 * serialises test files that want their own. It runs pcscd in the foreground with a private reader.conf.d (`-c`) whose
 * vpcd listens on a free port, so a vicc of another test cannot land in our reader.
 *
 * vicc is the project's own launcher, scripts/tools/vicc: Debian's python3-virtualsmartcard 3.3 ships the card
 * emulator as a library only (off Debian's sys.path, importing PyCryptodome under the name Debian does not use) and no
 * vicc executable. The launcher bridges both, so only Debian packages and this repository are needed.
 */

export const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';
const PCSCD_PID_FILE = '/run/pcscd/pcscd.pid';
/** The project's vicc launcher (repository root is three folders up from here). */
export const VICC = fileURLToPath(new URL('../../../scripts/tools/vicc', import.meta.url));
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
const LOCK_DIR = path.join(os.tmpdir(), 'guardpost-pcscd-test.lock');

/** Why the real parts cannot run here, or null when they can. */
export function pcscUnavailableReason(): string | null {
  if (process.platform !== 'linux') return 'pcscd tests run on Linux only';
  if (spawnSync('pcscd', ['--version'], { stdio: 'ignore' }).error) return 'pcscd is not installed (apt-get install pcscd)';
  if (!existsSync(VPCD_DRIVER)) return 'vsmartcard-vpcd is not installed';
  const vicc = spawnSync(VICC, ['--self-test'], { encoding: 'utf8' });
  if (vicc.error || vicc.status !== 0) return `${VICC} cannot start: ${(vicc.stderr || vicc.error?.message || '').trim()}`;
  if (process.getuid?.() !== 0) return 'pcscd needs root to create /run/pcscd';
  return null;
}

/** A live pcscd not started by us (e.g. the system's), or null. */
export function foreignPcscd(): number | null {
  try {
    const pid = Number(readFileSync(PCSCD_PID_FILE, 'utf8').replace(/\0/g, '').trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Children still running when this process exits are terminated: a crashed test must not leave a pcscd behind. */
const live = new Set<ChildProcess>();
function track(child: ChildProcess): void {
  if (live.size === 0) process.once('exit', () => live.forEach((c) => c.kill('SIGTERM')));
  live.add(child);
  child.once('exit', () => live.delete(child));
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess | undefined, graceMs = 3000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await Promise.race([exited(child).then(() => true), sleep(graceMs, false)])) return;
  child.kill('SIGKILL');
  await exited(child);
}

/** Cross-process lock: one harness per machine at a time (test files run in parallel). Stale locks of dead pids are taken over. */
async function acquireLock(timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(path.join(LOCK_DIR, 'pid'), String(process.pid));
      return () => rm(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(path.join(LOCK_DIR, 'pid'), 'utf8').catch(() => '0'));
      let alive = owner > 0;
      if (alive) {
        try {
          process.kill(owner, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive && owner > 0) await rm(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`pcscd test lock ${LOCK_DIR} held by pid ${owner} for ${timeoutMs} ms`);
      await sleep(alive ? 200 : 20);
    }
  }
}

export interface PcscdHarness {
  /** The vpcd port vicc connects to. */
  readonly vpcdPort: number;
  /** vpcd creates two readers per port pair; the card goes into this one. */
  readonly readerName: string;
  readonly running: boolean;
  startDaemon(): Promise<void>;
  /** SIGTERM and wait: what `systemctl stop pcscd` does. */
  stopDaemon(): Promise<void>;
  insertCard(): Promise<void>;
  /** Kills vicc: vpcd sees the card go. */
  removeCard(): Promise<void>;
  daemonLog(): string;
  /**
   * Client commands pcscd received, by name ("ESTABLISH_CONTEXT", "CMD_WAIT_READER_STATE_CHANGE", "CONNECT", "TRANSMIT"),
   * counted from its debug log: how a test proves what a client never did.
   */
  commands(): Record<string, number>;
  /** Stops everything it started and releases the lock. */
  close(): Promise<void>;
}

/** Takes the machine-wide lock and prepares (does not start) a private pcscd. Throws when a foreign pcscd runs. */
export async function createPcscdHarness(options: { lockTimeoutMs?: number } = {}): Promise<PcscdHarness> {
  const release = await acquireLock(options.lockTimeoutMs ?? 120_000);
  try {
    const foreign = foreignPcscd();
    if (foreign !== null) throw new Error(`a pcscd not started by this test is running (pid ${foreign}); stop it first (systemctl stop pcscd.socket pcscd)`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gp-pcscd-'));
    const vpcdPort = await freePort();
    const confDir = path.join(dir, 'reader.conf.d');
    await mkdir(confDir);
    await writeFile(
      path.join(confDir, 'vpcd'),
      `FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:0x${vpcdPort.toString(16).toUpperCase()}\nLIBPATH      ${VPCD_DRIVER}\nCHANNELID    0x${vpcdPort.toString(16).toUpperCase()}\n`,
    );
    return new Harness(dir, confDir, vpcdPort, release);
  } catch (error) {
    await release();
    throw error;
  }
}

class Harness implements PcscdHarness {
  readonly readerName = 'Virtual PCD 00 00';
  private daemon: ChildProcess | undefined;
  private vicc: ChildProcess | undefined;
  private log = '';
  private readonly counts: Record<string, number> = {};

  constructor(
    private readonly dir: string,
    private readonly confDir: string,
    readonly vpcdPort: number,
    private readonly release: () => Promise<void>,
  ) {}

  get running(): boolean {
    return this.daemon !== undefined && this.daemon.exitCode === null && this.daemon.signalCode === null;
  }

  async startDaemon(): Promise<void> {
    if (this.running) return;
    // A pcscd killed earlier may have left its socket; pcscd itself refuses to start over a live pid file only.
    // --debug: pcscd then logs every client command ("Received command: CONNECT from client 13").
    const child = spawn('pcscd', ['--foreground', '--debug', '--config', this.confDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.daemon = child;
    track(child);
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      for (const m of text.matchAll(/Received command: (\w+)/g)) this.counts[m[1]!] = (this.counts[m[1]!] ?? 0) + 1;
      this.log = (this.log + text).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (!(existsSync(PCSCD_SOCKET) && (await listening(this.vpcdPort)))) {
      if (!this.running) throw new Error(`pcscd exited at start: ${this.log.trim()}`);
      if (Date.now() > deadline) throw new Error(`pcscd did not come up within 10 s: ${this.log.trim()}`);
      await sleep(20);
    }
  }

  async stopDaemon(): Promise<void> {
    await this.removeCard();
    await stopChild(this.daemon);
    this.daemon = undefined;
  }

  async insertCard(): Promise<void> {
    if (this.vicc) return;
    const child = spawn(VICC, ['--type', 'iso7816', '--hostname', '127.0.0.1', '--port', String(this.vpcdPort)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.once('exit', (code) => {
      if (this.vicc === child && code !== null && code !== 0) this.log += `\nvicc exited ${code}: ${err}`;
    });
    this.vicc = child;
    track(child);
  }

  async removeCard(): Promise<void> {
    const child = this.vicc;
    this.vicc = undefined;
    await stopChild(child, 2000);
  }

  daemonLog(): string {
    return this.log;
  }

  commands(): Record<string, number> {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    try {
      await this.stopDaemon();
      await rm(this.dir, { recursive: true, force: true });
    } finally {
      await this.release();
    }
  }
}

/** Whether something listens on the TCP port, from /proc/net/tcp: connecting to vpcd would count as a card. */
async function listening(port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const table = await readFile('/proc/net/tcp', 'utf8').catch(() => '');
  return table.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1]?.endsWith(`:${hexPort}`) === true && fields[3] === '0A';
  });
}
