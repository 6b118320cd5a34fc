import type { AssistKind, AssistPolicy } from './schema.js';
import { parseTarget, targetKey } from './targets.js';
import { windowOccurrence } from './windows.js';

/**
 * Why a request is refused before anyone is asked. A closed list: the desk and docs name exactly these.
 * - assistance_disabled: `assist.enabled` is false
 * - invalid_request: no kinds, a forward without targets, targets without forward, or a target that is not host:port
 * - kind_not_allowed: a requested kind is off in `assist.kinds`
 * - target_not_allowed: a forward target is not in `assist.forwardTargets` (compared as written, never resolved)
 * - too_long: the requested duration exceeds `assist.maxDurationMinutes`
 * - too_many_sessions: `assist.maxConcurrentSessions` sessions are already pending or running
 * - no_way_to_consent: no maintenance window covers the request and neither the page nor the CLI can answer
 */
export const POLICY_REFUSALS = [
  'assistance_disabled',
  'invalid_request',
  'kind_not_allowed',
  'target_not_allowed',
  'too_long',
  'too_many_sessions',
  'no_way_to_consent',
] as const;
export type PolicyRefusal = (typeof POLICY_REFUSALS)[number];

/** What the policy looks at of a request. */
export interface PolicyRequest {
  kinds: AssistKind[];
  durationMinutes: number;
  forwardTargets?: string[];
}

/**
 * What the policy needs to know about the agent right now.
 * `page` / `cli`: whether the operator can answer there. Both go through the local API: the page is served by it and
 * the CLI (`guardpost assist`) talks to it with the token file, so in this agent both are "the local API is
 * listening" — the run command passes its state; they are separate so a page-less API would need no change here.
 */
export interface PolicyState {
  liveSessions: number;
  consentPaths: { page: boolean; cli: boolean };
}

export type PolicyDecision =
  | { outcome: 'approve-by-window'; window: string; windowEndsAt: string }
  | { outcome: 'ask-operator'; via: Array<'page' | 'cli'>; timeoutSeconds: number }
  | { outcome: 'refuse'; reason: PolicyRefusal; detail: string };

/**
 * Decides what happens to a request: refuse it (and why), approve it because a maintenance window the owner wrote
 * covers it, or ask the operator. Pure: the clock and the agent's state come in as arguments.
 * A window approves only when the whole requested duration fits inside the current occurrence; a request running
 * past the window's end goes to the operator like any other.
 */
export function evaluatePolicy(request: PolicyRequest, policy: AssistPolicy, now: Date, state: PolicyState): PolicyDecision {
  const refuse = (reason: PolicyRefusal, detail: string): PolicyDecision => ({ outcome: 'refuse', reason, detail });
  if (!policy.enabled) return refuse('assistance_disabled', 'remote assistance is not enabled in this terminal\'s config (assist.enabled)');

  const kinds = [...new Set(request.kinds)];
  const targets = request.forwardTargets ?? [];
  if (!kinds.length) return refuse('invalid_request', 'no kind of assistance requested');
  if (!Number.isInteger(request.durationMinutes) || request.durationMinutes < 1) return refuse('invalid_request', 'duration must be a whole number of minutes ≥ 1');
  if (kinds.includes('forward') !== targets.length > 0) {
    return refuse('invalid_request', kinds.includes('forward') ? 'a forward needs at least one target' : 'forward targets given without the forward kind');
  }

  const off = kinds.filter((k) => !policy.kinds[k]);
  if (off.length) return refuse('kind_not_allowed', `not allowed on this terminal: ${off.join(', ')}`);

  const allowed = new Set(policy.forwardTargets.map((t) => canonical(t)));
  for (const t of targets) {
    const parsed = parseTarget(t);
    if (typeof parsed === 'string') return refuse('invalid_request', `forward target "${t}": ${parsed}`);
    if (!allowed.has(targetKey(parsed))) return refuse('target_not_allowed', `forward target ${targetKey(parsed)} is not in assist.forwardTargets`);
  }

  if (request.durationMinutes > policy.maxDurationMinutes) {
    return refuse('too_long', `${request.durationMinutes} min requested; at most ${policy.maxDurationMinutes} min allowed`);
  }
  if (state.liveSessions >= policy.maxConcurrentSessions) {
    return refuse('too_many_sessions', `${state.liveSessions} session(s) already pending or running; at most ${policy.maxConcurrentSessions}`);
  }

  const until = now.getTime() + request.durationMinutes * 60_000;
  for (const w of policy.maintenanceWindows) {
    const occ = windowOccurrence(w, now);
    if (occ && until <= occ.end.getTime()) return { outcome: 'approve-by-window', window: w.name, windowEndsAt: occ.end.toISOString() };
  }

  const via = (['page', 'cli'] as const).filter((p) => state.consentPaths[p]);
  if (!via.length) {
    return refuse('no_way_to_consent', 'no maintenance window covers the request and the local API (page and CLI) is not running, so nobody can approve it');
  }
  return { outcome: 'ask-operator', via, timeoutSeconds: policy.consentTimeoutSeconds };
}

function canonical(entry: string): string {
  const t = parseTarget(entry);
  return typeof t === 'string' ? entry : targetKey(t);
}
