import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildMessage, ParentMessage } from './protocol.js';

const STDERR_TAIL_BYTES = 2048;

export interface ExitInfo {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Last ≤ 2 KB the child wrote to stderr. */
  stderrTail: string;
  /** The child closed its IPC channel while alive and was killed for it. */
  ipcDisconnected: boolean;
}

/** Everything alive that we forked, killed when this process exits so no child outlives the agent. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Children also exit on IPC disconnect, but a child stuck in a busy loop never sees that event.
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

/**
 * How to fork a sibling module of `from` (an import.meta.url) named `name` without extension: from .ts sources
 * (vitest, tsx) the child needs the tsx loader; from the compiled dist it needs none. The loader is resolved to an
 * absolute URL so the child does not depend on its working directory.
 */
export function forkEntry(from: string, name: string): { modulePath: string; execArgv: string[] } {
  const fromSources = from.endsWith('.ts');
  const modulePath = fileURLToPath(new URL(`./${name}${fromSources ? '.ts' : '.js'}`, from));
  if (!fromSources) return { modulePath, execArgv: [] };
  const tsxLoader = pathToFileURL(createRequire(from).resolve('tsx')).href;
  return { modulePath, execArgv: ['--import', tsxLoader] };
}

const childEntry = () => forkEntry(import.meta.url, 'child-runner');

/** A forked child-runner with its stderr tail and exit captured. */
export class ChildHandle {
  readonly process: ChildProcess;
  /** Resolves once the process has exited and its stderr has been drained (briefly). */
  readonly exited: Promise<ExitInfo>;
  #stderr = '';
  #hasExited = false;
  #ipcDisconnected = false;

  constructor(onMessage: (msg: ChildMessage) => void) {
    const { modulePath, execArgv } = childEntry();
    this.process = fork(modulePath, [], {
      execArgv,
      // No stdin: a child must never read the terminal. stdout is drained and dropped (vendor libraries chatter).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    liveChildren.add(this.process);
    installExitHook();
    this.process.stdout?.resume();
    this.process.stderr?.setEncoding('utf8');
    this.process.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL_BYTES * 2);
    });
    this.process.on('message', (msg) => onMessage(msg as ChildMessage));
    // A child without its channel can no longer be asked anything: treat it as crashed.
    this.process.on('disconnect', () => {
      if (this.#hasExited) return;
      this.#ipcDisconnected = true;
      this.kill();
    });
    this.exited = new Promise((resolve) => {
      // A failed IPC send also lands here and changes nothing (the exit follows). A failed spawn (no pid) may never
      // emit 'exit', so it counts as the exit, with the error in place of the stderr tail.
      this.process.on('error', (err) => {
        if (this.process.pid !== undefined || this.#hasExited) return;
        this.#hasExited = true;
        liveChildren.delete(this.process);
        resolve({ exitCode: null, signal: null, stderrTail: `spawn failed: ${err.message}`, ipcDisconnected: false });
      });
      this.process.once('exit', (exitCode, signal) => {
        this.#hasExited = true;
        liveChildren.delete(this.process);
        // 'exit' can come before the last stderr bytes; wait for the stream's end, but not forever
        // (a grandchild may hold the pipe open).
        const finish = (): void =>
          resolve({ exitCode, signal, stderrTail: this.stderrTail, ipcDisconnected: this.#ipcDisconnected });
        const stderr = this.process.stderr;
        if (!stderr || stderr.readableEnded) return finish();
        const timer = setTimeout(finish, 200);
        stderr.once('end', () => {
          clearTimeout(timer);
          finish();
        });
      });
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get hasExited(): boolean {
    return this.#hasExited;
  }

  get stderrTail(): string {
    return truncateUtf8Tail(this.#stderr, STDERR_TAIL_BYTES);
  }

  /** False when the channel is already closed. */
  send(msg: ParentMessage): boolean {
    if (!this.process.connected) return false;
    try {
      this.process.send(msg);
      return true;
    } catch {
      return false;
    }
  }

  kill(): void {
    if (!this.#hasExited) this.process.kill('SIGKILL');
  }
}

function truncateUtf8Tail(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // Cutting bytes may split a character; drop the broken remainder at the start.
  return bytes.subarray(bytes.length - maxBytes).toString('utf8').replace(/^\uFFFD+/, '');
}
