import type { AssistEndMessage, AssistRequestMessage, AssistStateMessage } from '../../tunnel/protocol/messages.js';
import type { AssistPeer } from '../../tunnel/session.js';
import type { AssistSession, AssistSessions } from './assist-sessions.js';

interface PeerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

const FINAL = new Set(['refused', 'denied', 'timed-out', 'withdrawn', 'ended']);

/**
 * The session layer's side of the desk connection: requests from the desk go to AssistSessions (policy, then
 * consent), and every change of a session is told back as assist-state with the desk's request id. A connection
 * that goes ends every session it carried, so a dropped tunnel never leaves a session running unseen.
 */
export class DeskAssistPeer implements AssistPeer {
  private send?: (m: AssistStateMessage) => void;
  /** Our session id → the desk's request id, while the session is not final. */
  private readonly requestOf = new Map<string, string>();
  /** The desk request being handled: states emitted during request() (a window approves at once) carry it. */
  private handling?: string;
  private readonly onChanged = (s: AssistSession) => this.tell(s);

  constructor(
    private readonly sessions: AssistSessions,
    private readonly logger: PeerLogger,
  ) {
    sessions.events.on('changed', this.onChanged);
  }

  connected(send: (m: AssistStateMessage) => void): void {
    this.send = send;
  }

  request(m: AssistRequestMessage): void {
    this.handling = m.request;
    try {
      const s = this.sessions.request({
        engineer: m.engineer,
        ...(m.organisation ? { organisation: m.organisation } : {}),
        ...(m.ticket ? { ticket: m.ticket } : {}),
        reason: m.reason,
        kinds: m.kinds,
        durationMinutes: m.durationMinutes,
        ...(m.forwardTargets?.length ? { forwardTargets: m.forwardTargets } : {}),
      });
      if (!FINAL.has(s.state)) this.requestOf.set(s.id, m.request);
      this.logger.info({ session: s.id, request: m.request, engineer: m.engineer, kinds: m.kinds, state: s.state }, 'remote assistance requested');
      this.tell(s, m.request);
    } finally {
      this.handling = undefined;
    }
  }

  end(m: AssistEndMessage): void {
    const s = this.sessions.get(m.session);
    if (!s || (s.state !== 'pending' && s.state !== 'running')) {
      // Already over (or never ours): say how it stands, so the desk's record converges.
      this.logger.warn({ session: m.session, state: s?.state ?? 'unknown' }, 'the desk ended a session that is not live');
      if (s) this.tell(s);
      return;
    }
    this.sessions.endByEngineer(m.session, m.reason);
  }

  disconnected(): void {
    this.send = undefined;
    const n = this.sessions.endAll('connection-lost', 'the desk connection closed');
    if (n) this.logger.warn({ sessions: n }, 'the desk connection closed: remote assistance sessions ended');
  }

  /** Stops following the session layer (the agent stops). */
  close(): void {
    this.sessions.events.off('changed', this.onChanged);
  }

  private tell(s: AssistSession, request = this.requestOf.get(s.id) ?? this.handling): void {
    if (FINAL.has(s.state)) this.requestOf.delete(s.id);
    this.send?.(assistState(s, request));
  }
}

export function assistState(s: AssistSession, request: string | undefined): AssistStateMessage {
  const at = s.endedAt ?? s.startedAt ?? s.requestedAt;
  return {
    type: 'assist-state',
    session: s.id,
    ...(request ? { request } : {}),
    state: s.state,
    at,
    engineer: s.request.engineer,
    kinds: s.request.kinds,
    ...(s.refusal ? { refusal: { reason: s.refusal.reason, detail: s.refusal.detail.slice(0, 1024) } } : {}),
    ...(s.approvedBy ? { approvedBy: s.approvedBy } : {}),
    ...(s.deniedBy ? { deniedBy: s.deniedBy } : {}),
    ...(s.endsAt ? { endsAt: s.endsAt } : {}),
    ...(s.endCause ? { endCause: s.endCause } : {}),
    ...(s.endedBy ? { endedBy: s.endedBy } : {}),
  };
}
