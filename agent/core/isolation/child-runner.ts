/**
 * Entry point of an isolated check's child process (forked by IsolatedProbeHost).
 * Loads the plugin from its moduleUrl, creates the probe once, and runs it on each request from the parent.
 * Anything that goes wrong outside a run (a native crash, an uncaught exception) ends this process,
 * which the parent reports as 'crashed' for this check only.
 */
import type { CheckPlugin, CheckStateHandle, Probe, ProbeContext } from '../checks/plugin.js';
import { errorEvidence } from '../checks/executor.js';
import { loadChildPlatform } from './child-platform.js';
import { isParentMessage, type ChildMessage, type InitRequest, type RunRequest } from './protocol.js';
import { decodeSecrets } from './secret-transfer.js';

/** The state as of the current run; the parent sends it with each request and gets it back with the answer. */
class TransferredState implements CheckStateHandle {
  value: unknown = undefined;
  changed = false;

  get<T>(): T | undefined {
    return this.value as T | undefined;
  }

  set<T>(value: T): void {
    this.value = value;
    this.changed = true;
  }
}

const state = new TransferredState();
let probe: Probe | null = null;
let current: AbortController | null = null;

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

async function init(req: InitRequest): Promise<void> {
  try {
    const mod = (await import(req.moduleUrl)) as { plugin?: CheckPlugin };
    if (!mod.plugin || typeof mod.plugin.createProbe !== 'function') {
      throw new Error(`${req.moduleUrl} does not export a check plugin as "plugin"`);
    }
    const ctx: ProbeContext = {
      checkId: req.checkId,
      platform: await loadChildPlatform(),
      state,
      now: () => new Date(),
      ...req.context,
    };
    probe = mod.plugin.createProbe(decodeSecrets(req.config), ctx);
    send({ type: 'ready', pid: process.pid });
  } catch (err) {
    send({ type: 'init_error', evidence: errorEvidence(err) });
  }
}

async function run(req: RunRequest): Promise<void> {
  state.value = req.state;
  state.changed = false;
  current = new AbortController();
  try {
    if (!probe) throw new Error('probe not initialised');
    const results = await probe.run(current.signal);
    if (!Array.isArray(results)) throw new Error('probe returned no result list');
    send({ type: 'result', id: req.id, ok: true, results, stateChanged: state.changed, state: state.value });
  } catch (err) {
    send({ type: 'result', id: req.id, ok: false, evidence: errorEvidence(err) });
  } finally {
    current = null;
  }
}

async function close(): Promise<void> {
  current?.abort(new Error('closing'));
  try {
    await probe?.close?.();
  } finally {
    process.exit(0);
  }
}

process.on('message', (msg: unknown) => {
  if (!isParentMessage(msg)) return;
  if (msg.type === 'init') void init(msg);
  else if (msg.type === 'run') void run(msg);
  else void close();
});

// The parent went away (exited, crashed, or closed the channel): so do we.
process.on('disconnect', () => process.exit(0));
