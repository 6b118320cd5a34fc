import type { SiteConfig } from '../site.js';
import type { Evidence, ProbeResult } from '../checks/result.js';

/**
 * Messages between the supervisor and an isolated check's child process (IPC, JSON serialisation).
 * One request at a time; responses carry the id of the request they answer.
 */

/** First message: what to load. `config` has gone through encodeSecrets. */
export interface InitRequest {
  type: 'init';
  checkId: string;
  moduleUrl: string;
  config: unknown;
  /** The parts of the parent's ProbeContext that are plain data. */
  context: { site?: SiteConfig; stateDir?: string };
}

/** Run the probe once. `state` is the check's persistent state (CheckStateHandle) as the parent holds it. */
export interface RunRequest {
  type: 'run';
  id: number;
  state: unknown;
}

/** Close the probe and exit. */
export interface CloseRequest {
  type: 'close';
}

export type ParentMessage = InitRequest | RunRequest | CloseRequest;

/** The plugin is loaded and its probe created. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

/** Importing the plugin or creating the probe threw. */
export interface InitErrorMessage {
  type: 'init_error';
  evidence: Evidence;
}

export type RunResponse =
  | { type: 'result'; id: number; ok: true; results: ProbeResult[]; stateChanged: boolean; state: unknown }
  | { type: 'result'; id: number; ok: false; evidence: Evidence };

export type ChildMessage = ReadyMessage | InitErrorMessage | RunResponse;

export function isChildMessage(msg: unknown): msg is ChildMessage {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'ready' || type === 'init_error' || type === 'result';
}

export function isParentMessage(msg: unknown): msg is ParentMessage {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'init' || type === 'run' || type === 'close';
}
