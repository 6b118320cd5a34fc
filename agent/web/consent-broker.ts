import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Text } from '../core/text.js';

/** What a remote engineer may do in a session; the page names each one to the cashier. */
export const ASSIST_CAPABILITIES = ['view', 'terminal', 'files', 'relay'] as const;
export type AssistCapability = (typeof ASSIST_CAPABILITIES)[number];

/**
 * pending → active (approved) → ended; pending → denied | expired (no answer in time: default deny) | withdrawn
 * (the desk took the request back). Only pending and active are live.
 */
export type ConsentState = 'pending' | 'active' | 'denied' | 'expired' | 'withdrawn' | 'ended';

export interface AssistanceRequest {
  /** Who asks, as the desk identified them: shown to the cashier. */
  engineer: string;
  organisation?: string;
  ticket?: string;
  purpose: Text;
  capabilities: AssistCapability[];
  /** How long the prompt waits for an answer; default 120 s, at most 600 s. No answer means no. */
  timeoutSeconds?: number;
  /** The longest the session may run once approved; default 60 min, at most 8 h. */
  maxMinutes?: number;
}

export interface ConsentSession {
  id: string;
  engineer: string;
  organisation?: string;
  ticket?: string;
  purpose: Text;
  capabilities: AssistCapability[];
  state: ConsentState;
  requestedAt: string;
  /** The prompt's deadline while pending. */
  expiresAt: string;
  maxMinutes: number;
  decidedAt?: string;
  /** Who approved or denied: 'local-page' for the person at the terminal. */
  decidedBy?: string;
  /** Set once approved: when the session ends by itself. */
  endsAt?: string;
  endedAt?: string;
  endedBy?: string;
  reason?: string;
}

export interface ConsentEvents {
  /** Every change of any session, including new requests; the page and the assistance channel listen. */
  changed: [session: ConsentSession];
}

export class ConsentError extends Error {
  constructor(
    readonly code: 'busy' | 'not_found' | 'wrong_state' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ConsentError';
  }
}

export interface ConsentBrokerOptions {
  now?: () => Date;
  /** Decided sessions kept for the page and the audit trail. */
  keepRecent?: number;
  /** Sessions pending or active at once (assist.maxConcurrentSessions); default 1. Only one prompt is ever pending. */
  maxLive?: number;
}

const DEFAULT_TIMEOUT_S = 120;
const MAX_TIMEOUT_S = 600;
const DEFAULT_MAX_MINUTES = 60;
const MAX_MINUTES = 480;

/**
 * Local consent for remote assistance, in process: the assistance channel asks, the person at the terminal answers
 * on the local page. One live session (pending or active) at a time; silence is a no; every decision carries who
 * made it. The broker decides nothing about transport: listeners act on 'changed'.
 */
export class ConsentBroker {
  readonly events = new EventEmitter<ConsentEvents>();
  private readonly sessions = new Map<string, ConsentSession>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly now: () => Date;
  private readonly keepRecent: number;
  private readonly maxLive: number;

  constructor(opts: ConsentBrokerOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.keepRecent = opts.keepRecent ?? 10;
    this.maxLive = opts.maxLive ?? 1;
  }

  /** A new request from the desk. Throws ConsentError('busy') while another session is pending or active. */
  request(input: AssistanceRequest): ConsentSession {
    const live = this.liveSessions();
    // One prompt at a time: the person at the terminal answers one question, never a stack of them.
    const busy = live.find((s) => s.state === 'pending') ?? (live.length >= this.maxLive ? live[0] : undefined);
    if (busy) throw new ConsentError('busy', `another assistance session is ${busy.state} (${busy.id})`);
    if (!input.engineer.trim()) throw new ConsentError('invalid', 'assistance request: engineer is empty');
    const caps = [...new Set(input.capabilities)];
    const unknown = caps.filter((c) => !(ASSIST_CAPABILITIES as readonly string[]).includes(c));
    if (!caps.length || unknown.length) {
      throw new ConsentError('invalid', `assistance request: capabilities must be some of ${ASSIST_CAPABILITIES.join(', ')}; got ${JSON.stringify(input.capabilities)}`);
    }
    const timeoutS = clamp(input.timeoutSeconds ?? DEFAULT_TIMEOUT_S, 5, MAX_TIMEOUT_S);
    const at = this.now();
    const session: ConsentSession = {
      id: randomUUID(),
      engineer: input.engineer.trim(),
      ...(input.organisation ? { organisation: input.organisation } : {}),
      ...(input.ticket ? { ticket: input.ticket } : {}),
      purpose: input.purpose,
      capabilities: caps,
      state: 'pending',
      requestedAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + timeoutS * 1000).toISOString(),
      maxMinutes: clamp(input.maxMinutes ?? DEFAULT_MAX_MINUTES, 1, MAX_MINUTES),
    };
    this.sessions.set(session.id, session);
    this.arm(session.id, timeoutS * 1000, () => this.finish(session, 'expired', { endedBy: 'timeout', reason: 'no answer in time' }));
    this.emit(session);
    return session;
  }

  approve(id: string, by: string): ConsentSession {
    const s = this.expect(id, 'pending');
    const at = this.now();
    s.state = 'active';
    s.decidedAt = at.toISOString();
    s.decidedBy = by;
    s.endsAt = new Date(at.getTime() + s.maxMinutes * 60_000).toISOString();
    this.arm(id, s.maxMinutes * 60_000, () => this.finish(s, 'ended', { endedBy: 'time-limit', reason: `reached ${s.maxMinutes} min` }));
    this.emit(s);
    return s;
  }

  deny(id: string, by: string, reason?: string): ConsentSession {
    const s = this.expect(id, 'pending');
    s.decidedAt = this.now().toISOString();
    s.decidedBy = by;
    return this.finish(s, 'denied', { ...(reason ? { reason } : {}) });
  }

  /** Ends an active session, or withdraws a pending request (the desk changed its mind). */
  end(id: string, by: string, reason?: string): ConsentSession {
    const s = this.get(id);
    if (!s) throw new ConsentError('not_found', `no assistance session ${id}`);
    if (s.state !== 'active' && s.state !== 'pending') throw new ConsentError('wrong_state', `session ${id} is already ${s.state}`);
    return this.finish(s, s.state === 'active' ? 'ended' : 'withdrawn', { endedBy: by, ...(reason ? { reason } : {}) });
  }

  get(id: string): ConsentSession | undefined {
    return this.sessions.get(id);
  }

  /** The live session, if any: the pending one (the prompt) first, else the oldest active one (the banner). */
  live(): ConsentSession | undefined {
    const live = this.liveSessions();
    return live.find((s) => s.state === 'pending') ?? live[0];
  }

  /** Every pending or active session, oldest first. */
  liveSessions(): ConsentSession[] {
    return [...this.sessions.values()].filter((s) => s.state === 'pending' || s.state === 'active');
  }

  /** Finished sessions, newest first. */
  recent(): ConsentSession[] {
    return [...this.sessions.values()].filter((s) => s.state !== 'pending' && s.state !== 'active').reverse();
  }

  /** Stops the timers; live sessions are ended ('agent stopping'). */
  close(): void {
    for (const live of this.liveSessions()) this.finish(live, live.state === 'active' ? 'ended' : 'withdrawn', { endedBy: 'agent', reason: 'agent stopping' });
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private expect(id: string, state: ConsentState): ConsentSession {
    const s = this.sessions.get(id);
    if (!s) throw new ConsentError('not_found', `no assistance session ${id}`);
    if (s.state !== state) throw new ConsentError('wrong_state', `session ${id} is ${s.state}, not ${state}`);
    return s;
  }

  private finish(s: ConsentSession, state: ConsentState, extra: { endedBy?: string; reason?: string }): ConsentSession {
    clearTimeout(this.timers.get(s.id));
    this.timers.delete(s.id);
    s.state = state;
    s.endedAt = this.now().toISOString();
    if (extra.endedBy) s.endedBy = extra.endedBy;
    if (extra.reason) s.reason = extra.reason;
    this.prune();
    this.emit(s);
    return s;
  }

  private arm(id: string, ms: number, fire: () => void): void {
    clearTimeout(this.timers.get(id));
    const t = setTimeout(fire, ms);
    t.unref();
    this.timers.set(id, t);
  }

  private prune(): void {
    const done = [...this.sessions.values()].filter((s) => s.state !== 'pending' && s.state !== 'active');
    for (const s of done.slice(0, Math.max(0, done.length - this.keepRecent))) this.sessions.delete(s.id);
  }

  private emit(s: ConsentSession): void {
    this.events.emit('changed', { ...s, capabilities: [...s.capabilities] });
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Number.isFinite(n) ? n : lo));
}
