import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ConsentError, type ConsentBroker, type ConsentSession } from '../../web/consent-broker.js';
import { evaluatePolicy, type PolicyRefusal, type PolicyState } from '../policy/evaluate.js';
import type { AssistKind, AssistPolicy } from '../policy/schema.js';
import type { AuditSink } from './audit-sink.js';
import { KIND_CAPABILITY } from './kinds.js';
import type { ASSIST_STATES } from '../../tunnel/protocol/constants.js';

/** What the desk forwards from an engineer. */
export interface AssistRequest {
  engineer: string;
  organisation?: string;
  ticket?: string;
  reason: string;
  kinds: AssistKind[];
  durationMinutes: number;
  forwardTargets?: string[];
}

/**
 * refused (by policy, nobody asked) | pending (the operator is asked) → running (approved by the operator or a window)
 * | denied | timed-out (no answer in time: a denial) | withdrawn (the engineer took the request back);
 * running → ended. Only pending and running are live.
 */
export type AssistState = (typeof ASSIST_STATES)[number];

/** Why a running session ended. */
export type EndCause = 'operator' | 'engineer' | 'expiry' | 'idle' | 'connection-lost' | 'agent-stopping';

export interface AssistSession {
  id: string;
  request: AssistRequest;
  state: AssistState;
  requestedAt: string;
  refusal?: { reason: PolicyRefusal; detail: string };
  /** 'local-page' or 'local-cli' (the operator), or 'window:<name>' (a maintenance window the owner wrote). */
  approvedBy?: string;
  deniedBy?: string;
  startedAt?: string;
  endsAt?: string;
  endedAt?: string;
  endCause?: EndCause;
  endedBy?: string;
}

export interface AssistSessionsOptions {
  policy: AssistPolicy;
  consent: ConsentBroker;
  audit: AuditSink;
  /** Whether the operator can answer now (page, CLI); see PolicyState. */
  consentPaths: () => PolicyState['consentPaths'];
  now?: () => Date;
  /** Errors the audit sink or a closer throws or rejects with; the log, in production. */
  onError?: (err: unknown) => void;
}

export interface AssistEvents {
  changed: [session: AssistSession];
}

/** Who ends a session for the operator, as the consent broker records it. */
const OPERATOR = new Set(['local-page', 'local-cli']);

/**
 * The lifecycle of remote-assistance sessions: policy first, then consent (the page's ConsentBroker, which the page
 * and `guardpost assist` answer), then running until the operator, the engineer, expiry or idleness ends it. Each
 * step is appended to the audit sink. Ending runs every closer the channel layer registered for the session.
 * A session id is answered once: the broker refuses any answer to a session that is no longer pending.
 */
export class AssistSessions {
  readonly events = new EventEmitter<AssistEvents>();
  private readonly sessions = new Map<string, AssistSession>();
  private readonly closers = new Map<string, Set<() => void | Promise<void>>>();
  private readonly idle = new Map<string, { last: number; timer?: NodeJS.Timeout }>();
  /** Window approvals in flight: the broker's 'active' event must not be recorded as the operator's. */
  private readonly byWindow = new Map<string, string>();
  private readonly now: () => Date;
  private readonly onConsent = (c: ConsentSession) => this.follow(c);

  constructor(private readonly opts: AssistSessionsOptions) {
    this.now = opts.now ?? (() => new Date());
    opts.consent.events.on('changed', this.onConsent);
  }

  /** A request from the desk. Returns the session: refused, pending (the operator is asked) or running (a window). */
  request(req: AssistRequest): AssistSession {
    const { policy, consent } = this.opts;
    const at = this.now();
    const who = identity(req);
    const decision = evaluatePolicy(req, policy, at, { liveSessions: consent.liveSessions().length, consentPaths: this.opts.consentPaths() });
    if (decision.outcome === 'refuse') {
      // Refused requests get an id too, so the desk and the audit can name them; they never reach the broker.
      const s: AssistSession = { id: randomUUID(), request: req, state: 'refused', requestedAt: at.toISOString(), refusal: { reason: decision.reason, detail: decision.detail } };
      this.audit('request', { session: s.id, ...who });
      this.audit('policy-refused', { session: s.id, reason: decision.reason, detail: decision.detail, engineer: req.engineer });
      return s;
    }
    let c: ConsentSession;
    try {
      c = consent.request({
        engineer: req.engineer,
        ...(req.organisation ? { organisation: req.organisation } : {}),
        ...(req.ticket ? { ticket: req.ticket } : {}),
        purpose: purposeText(req),
        capabilities: req.kinds.map((k) => KIND_CAPABILITY[k]),
        timeoutSeconds: policy.consentTimeoutSeconds,
        maxMinutes: req.durationMinutes,
      });
    } catch (err) {
      if (!(err instanceof ConsentError)) throw err;
      // busy: a prompt is already up; one question at a time for the operator.
      const s: AssistSession = { id: randomUUID(), request: req, state: 'refused', requestedAt: at.toISOString(), refusal: { reason: err.code === 'busy' ? 'too_many_sessions' : 'invalid_request', detail: err.message } };
      this.audit('request', { session: s.id, ...who });
      this.audit('policy-refused', { session: s.id, reason: s.refusal!.reason, detail: err.message, engineer: req.engineer });
      return s;
    }
    const s: AssistSession = { id: c.id, request: req, state: 'pending', requestedAt: c.requestedAt };
    this.sessions.set(s.id, s);
    this.audit('request', { session: s.id, ...who });
    if (decision.outcome === 'approve-by-window') {
      this.byWindow.set(s.id, decision.window);
      consent.approve(s.id, `window:${decision.window}`);
    }
    return { ...s };
  }

  /** The channel layer registers what a session owns; each closer runs once when the session ends. */
  own(id: string, close: () => void | Promise<void>): () => void {
    const s = this.sessions.get(id);
    if (!s || s.state !== 'running') throw new ConsentError('wrong_state', `session ${id} is not running`);
    const set = this.closers.get(id) ?? new Set();
    set.add(close);
    this.closers.set(id, set);
    return () => set.delete(close);
  }

  /** Traffic on a session: keeps the idle timeout away. Cheap enough to call per frame. */
  touch(id: string): void {
    const i = this.idle.get(id);
    if (i) i.last = this.now().getTime();
  }

  /** The engineer hangs up (or withdraws a pending request), through the desk. */
  endByEngineer(id: string, reason?: string): AssistSession {
    this.opts.consent.end(id, 'engineer', reason);
    return this.get(id)!;
  }

  /** Ends every live session: running ones end, pending requests are withdrawn (the desk connection went). */
  endAll(by: 'connection-lost', reason: string): number {
    let n = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.state !== 'pending' && s.state !== 'running') continue;
      this.opts.consent.end(s.id, by, reason);
      n++;
    }
    return n;
  }

  get(id: string): AssistSession | undefined {
    const s = this.sessions.get(id);
    return s && { ...s };
  }

  list(): AssistSession[] {
    return [...this.sessions.values()].map((s) => ({ ...s }));
  }

  /** The agent stops: every live session ends (recorded so, closers run), then the broker is no longer followed. */
  close(): void {
    for (const s of this.sessions.values()) {
      if (s.state === 'pending' || s.state === 'running') this.opts.consent.end(s.id, 'agent', 'agent stopping');
    }
    this.opts.consent.events.off('changed', this.onConsent);
    for (const i of this.idle.values()) clearTimeout(i.timer);
    this.idle.clear();
  }

  /** Mirrors the broker's decisions into the session, the audit and the closers. */
  private follow(c: ConsentSession): void {
    const s = this.sessions.get(c.id);
    if (!s) return; // a consent session this layer did not create
    const at = this.now().toISOString();
    if (c.state === 'active' && s.state === 'pending') {
      const window = this.byWindow.get(s.id);
      this.byWindow.delete(s.id);
      Object.assign(s, { state: 'running', approvedBy: c.decidedBy, startedAt: c.decidedAt ?? at, ...(c.endsAt ? { endsAt: c.endsAt } : {}) });
      this.audit('consent', { session: s.id, decision: window ? 'approved-by-window' : 'approved', by: c.decidedBy, ...(window ? { window } : {}), engineer: s.request.engineer });
      this.audit('session-start', { session: s.id, engineer: s.request.engineer, kinds: s.request.kinds, endsAt: c.endsAt });
      this.armIdle(s.id);
    } else if (c.state === 'denied') {
      Object.assign(s, { state: 'denied', deniedBy: c.decidedBy, endedAt: c.endedAt ?? at });
      this.audit('consent', { session: s.id, decision: 'denied', by: c.decidedBy, ...(c.reason ? { reason: c.reason } : {}), engineer: s.request.engineer });
    } else if (c.state === 'expired') {
      Object.assign(s, { state: 'timed-out', endedAt: c.endedAt ?? at });
      this.audit('consent', { session: s.id, decision: 'timed-out', by: 'timeout', engineer: s.request.engineer });
    } else if (c.state === 'withdrawn') {
      Object.assign(s, { state: 'withdrawn', endedAt: c.endedAt ?? at, endedBy: c.endedBy });
      this.audit('consent', { session: s.id, decision: 'withdrawn', by: c.endedBy, engineer: s.request.engineer });
    } else if (c.state === 'ended' && s.state === 'running') {
      const cause = endCause(c.endedBy);
      Object.assign(s, { state: 'ended', endedAt: c.endedAt ?? at, endCause: cause, endedBy: c.endedBy });
      this.audit('session-end', { session: s.id, cause, by: c.endedBy, ...(c.reason ? { reason: c.reason } : {}), engineer: s.request.engineer });
      this.release(s.id);
    }
    this.events.emit('changed', { ...s });
  }

  private armIdle(id: string): void {
    const ms = this.opts.policy.idleTimeoutMinutes * 60_000;
    const entry = { last: this.now().getTime() } as { last: number; timer?: NodeJS.Timeout };
    this.idle.set(id, entry);
    // One timer per session, re-armed for the remainder when traffic came meanwhile: touch() stays a field write.
    const check = () => {
      const left = entry.last + ms - this.now().getTime();
      if (left > 0) {
        entry.timer = setTimeout(check, left);
        entry.timer.unref();
        return;
      }
      try {
        this.opts.consent.end(id, 'idle-timeout', `no traffic for ${this.opts.policy.idleTimeoutMinutes} min`);
      } catch {
        // already ended meanwhile
      }
    };
    entry.timer = setTimeout(check, ms);
    entry.timer.unref();
  }

  private release(id: string): void {
    clearTimeout(this.idle.get(id)?.timer);
    this.idle.delete(id);
    const closers = this.closers.get(id);
    this.closers.delete(id);
    for (const close of closers ?? []) {
      try {
        void Promise.resolve(close()).catch((err: unknown) => this.opts.onError?.(err));
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  private audit(kind: Parameters<AuditSink['append']>[0], fields: Record<string, unknown>): void {
    try {
      void Promise.resolve(this.opts.audit.append(kind, fields)).catch((err: unknown) => this.opts.onError?.(err));
    } catch (err) {
      this.opts.onError?.(err);
    }
  }
}

function endCause(by: string | undefined): EndCause {
  if (by && OPERATOR.has(by)) return 'operator';
  if (by === 'engineer') return 'engineer';
  if (by === 'time-limit') return 'expiry';
  if (by === 'idle-timeout') return 'idle';
  if (by === 'connection-lost') return 'connection-lost';
  return 'agent-stopping';
}

/** Who asks and for what, as the audit records the request. */
function identity(req: AssistRequest): Record<string, unknown> {
  return {
    engineer: req.engineer,
    ...(req.organisation ? { organisation: req.organisation } : {}),
    ...(req.ticket ? { ticket: req.ticket } : {}),
    reason: req.reason,
    kinds: req.kinds,
    durationMinutes: req.durationMinutes,
    ...(req.forwardTargets?.length ? { forwardTargets: req.forwardTargets } : {}),
  };
}

/** The prompt's "why": the engineer's reason, and the forward targets so the operator sees what would be reached. */
function purposeText(req: AssistRequest): { zh: string; en: string } {
  const targets = req.forwardTargets?.length ? req.forwardTargets.join(', ') : '';
  return {
    zh: targets ? `${req.reason}（转发到 ${targets}）` : req.reason,
    en: targets ? `${req.reason} (forward to ${targets})` : req.reason,
  };
}
