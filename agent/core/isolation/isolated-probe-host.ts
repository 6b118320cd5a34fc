import type { SiteConfig } from '../site.js';
import type { CheckStateHandle } from '../checks/plugin.js';
import type { Evidence } from '../checks/result.js';
import type { ExecOutcome, ProbeExecutor } from '../checks/executor.js';
import { realDelay } from '../real-delay.js';
import { ChildHandle, type ExitInfo } from './child-process.js';
import type { ChildMessage } from './protocol.js';
import { encodeSecrets } from './secret-transfer.js';

export interface IsolatedProbeHostOptions {
  checkId: string;
  /** The plugin module (`export const plugin`), imported by the child. */
  moduleUrl: string;
  /** The check's validated config; may contain Secret objects (they are transferred, see secret-transfer.ts). */
  config: unknown;
  /** The check's persistent state, sent with each run and updated from the child's answer. */
  state: CheckStateHandle;
  /** Delay before a child that failed to start may be started again: doubles per consecutive failure. */
  restartBackoffMs?: { initial: number; max: number };
  /** Plain-data parts of the probe context (site, state directory) handed to the child. */
  context?: { site?: SiteConfig; stateDir?: string };
}

const DEFAULT_BACKOFF = { initial: 1000, max: 60_000 };
/**
 * A child's start (process, module load, driver load) has its own bound instead of the run's timeout: on a slow
 * terminal, starting can take longer than a short-interval check's timeout, and killing it at every run would
 * mean the check never runs at all. An aborted run leaves the start going; the next run uses the ready child.
 */
const START_TIMEOUT_MS = 30_000;
const ABORTED = Symbol('aborted');

type Race =
  | { kind: 'message'; msg: ChildMessage }
  | { kind: 'exit'; exit: ExitInfo }
  | { kind: 'aborted' };

interface Waiter {
  child: ChildHandle;
  accept(msg: ChildMessage): boolean;
  resolve(race: Race): void;
}

/**
 * Supervises the child process of one isolated check: started lazily at a run, kept for the following runs,
 * SIGKILLed when a run is abandoned (timeout, shutdown) and started afresh at the next run.
 * A child that dies during a run makes that run 'crashed'; one that keeps failing to start is restarted with backoff.
 */
export class IsolatedProbeHost implements ProbeExecutor {
  readonly #opts: IsolatedProbeHostOptions;
  readonly #backoff: { initial: number; max: number };
  #child: ChildHandle | null = null;
  #waiter: Waiter | null = null;
  #nextRunId = 1;
  #running = false;
  #closed = false;
  #startFailures = 0;
  #nextStartAtMs = 0;
  #lastStartFailure: ExecOutcome | null = null;
  /** Killed children not yet reaped; close() waits for them. */
  readonly #dying = new Set<ChildHandle>();

  constructor(opts: IsolatedProbeHostOptions) {
    this.#opts = opts;
    this.#backoff = opts.restartBackoffMs ?? DEFAULT_BACKOFF;
  }

  /** True while a child is starting (its own bound: START_TIMEOUT_MS), so the scheduler does not time the run out. */
  starting(): boolean {
    return this.#starting !== null;
  }

  /** Pid of the live child, if one is running. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async execute(signal: AbortSignal): Promise<ExecOutcome> {
    if (this.#closed) return { kind: 'probe_error', evidence: { error: 'isolated check host is closed' } };
    if (this.#running) return { kind: 'busy', evidence: {} };
    this.#running = true;
    try {
      // A child that died while idle is replaced, not blamed for this run.
      const live = this.#child && !this.#child.hasExited ? this.#child : null;
      let child: ChildHandle | ExecOutcome;
      if (live && !this.#starting) {
        child = live;
      } else {
        this.#starting ??= this.#startChild(AbortSignal.timeout(START_TIMEOUT_MS)).finally(() => (this.#starting = null));
        const started = await untilAborted(this.#starting, signal);
        if (started === ABORTED) return abandonedOutcome();
        child = started;
      }
      if (!(child instanceof ChildHandle)) return child;
      return await this.#runIn(child, signal);
    } finally {
      this.#running = false;
      // A start still going on in the background owns the waiter; don't orphan it.
      if (!this.#starting) this.#waiter = null;
    }
  }

  async close(budgetMs: number): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    this.#child = null;
    const started = Date.now();
    if (child && this.#running) {
      // Still mid-run at shutdown (the run is being abandoned): no point asking it politely.
      this.#discard(child);
    } else if (child && !child.hasExited) {
      child.send({ type: 'close' });
      const exited = await Promise.race([child.exited.then(() => true), realDelay(budgetMs / 2).then(() => false)]);
      if (!exited) this.#discard(child);
    }
    const left = budgetMs - (Date.now() - started);
    await Promise.race([Promise.all([...this.#dying].map((c) => c.exited)), realDelay(left)]);
  }

  #starting: Promise<ChildHandle | ExecOutcome> | null = null;

  async #startChild(signal: AbortSignal): Promise<ChildHandle | ExecOutcome> {
    const waitMs = this.#nextStartAtMs - Date.now();
    if (waitMs > 0 && this.#lastStartFailure) return withRestartDelay(this.#lastStartFailure, waitMs);

    const child: ChildHandle = new ChildHandle((msg) => this.#onMessage(child, msg));
    this.#child = child;
    void child.exited.then((exit) => this.#onExit(child, exit));
    const { checkId, moduleUrl, config } = this.#opts;
    child.send({ type: 'init', checkId, moduleUrl, config: encodeSecrets(config), context: this.#opts.context ?? {} });

    const started = await this.#race(child, signal, (msg) => msg.type === 'ready' || msg.type === 'init_error');
    if (started.kind === 'message' && started.msg.type === 'ready') {
      this.#startFailures = 0;
      this.#lastStartFailure = null;
      return child;
    }
    this.#discard(child);
    const failure: ExecOutcome =
      started.kind === 'aborted'
        ? { kind: 'crashed', evidence: { phase: 'start', startTimedOutAfterSeconds: START_TIMEOUT_MS / 1000 } }
        : started.kind === 'exit'
        ? { kind: 'crashed', evidence: crashEvidence('start', started.exit) }
        : { kind: 'probe_error', evidence: started.msg.type === 'init_error' ? started.msg.evidence : {} };
    this.#noteStartFailure(failure);
    return failure;
  }

  async #runIn(child: ChildHandle, signal: AbortSignal): Promise<ExecOutcome> {
    const id = this.#nextRunId++;
    const answer = this.#race(child, signal, (msg) => msg.type === 'result' && msg.id === id);
    child.send({ type: 'run', id, state: this.#opts.state.get() });
    const ended = await answer;
    if (ended.kind === 'aborted') {
      this.#discard(child);
      return abandonedOutcome();
    }
    if (ended.kind === 'exit') return { kind: 'crashed', evidence: crashEvidence('run', ended.exit) };
    const msg = ended.msg;
    if (msg.type !== 'result') return { kind: 'probe_error', evidence: { error: `unexpected message ${msg.type}` } };
    if (!msg.ok) return { kind: 'probe_error', evidence: msg.evidence };
    if (msg.stateChanged) this.#opts.state.set(msg.state);
    return { kind: 'ok', results: msg.results };
  }

  /**
   * Waits for an accepted message from the child, the child's exit, or the caller giving up.
   * The child must not have exited yet (callers check hasExited; its exit then reaches #onExit).
   */
  #race(child: ChildHandle, signal: AbortSignal, accept: (msg: ChildMessage) => boolean): Promise<Race> {
    return new Promise<Race>((resolve) => {
      this.#waiter = { child, accept, resolve };
      if (signal.aborted) resolve({ kind: 'aborted' });
      else signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
    });
  }

  #onMessage(child: ChildHandle, msg: ChildMessage): void {
    const waiter = this.#waiter;
    if (waiter && waiter.child === child && waiter.accept(msg)) {
      this.#waiter = null;
      waiter.resolve({ kind: 'message', msg });
    }
  }

  #onExit(child: ChildHandle, exit: ExitInfo): void {
    this.#dying.delete(child);
    if (this.#child === child) this.#child = null;
    const waiter = this.#waiter;
    if (waiter && waiter.child === child) {
      this.#waiter = null;
      waiter.resolve({ kind: 'exit', exit });
    }
  }

  /** Kills a child we no longer use; the next run starts a fresh one. */
  #discard(child: ChildHandle): void {
    if (this.#child === child) this.#child = null;
    if (child.hasExited) return;
    this.#dying.add(child);
    child.kill();
  }

  #noteStartFailure(failure: ExecOutcome): void {
    this.#startFailures += 1;
    const delay = Math.min(this.#backoff.initial * 2 ** (this.#startFailures - 1), this.#backoff.max);
    this.#nextStartAtMs = Date.now() + delay;
    this.#lastStartFailure = failure;
  }
}

function crashEvidence(phase: 'start' | 'run', exit: ExitInfo): Evidence {
  return {
    phase,
    exitCode: exit.exitCode,
    signal: exit.signal,
    ipcDisconnected: exit.ipcDisconnected,
    stderr: exit.stderrTail,
  };
}

function withRestartDelay(failure: ExecOutcome, waitMs: number): ExecOutcome {
  if (failure.kind === 'ok') return failure;
  return { ...failure, evidence: { ...failure.evidence, restartInSeconds: Math.ceil(waitMs / 100) / 10 } };
}

/** The caller (scheduler) has already reported a timeout or is shutting down; this outcome is not reported. */
/** The promise's value, or ABORTED if the signal fires first; the promise itself goes on. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}

function abandonedOutcome(): ExecOutcome {
  return { kind: 'crashed', evidence: { abandoned: true } };
}
