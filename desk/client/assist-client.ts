import type WebSocket from 'ws';
import { ChannelMux } from '../../agent/tunnel/channels/mux.js';
import type { ChannelMessage } from '../../agent/tunnel/protocol/messages.js';
import type { AssistRequestRow, AuditChainStatus, AuditRecordRow, DeskAssistState } from '../store/assist-types.js';
import type { DeskApiClient } from './api-client.js';

/**
 * The engineer's side of remote assistance over the engineer API: ask for a session, follow the agent's answer with
 * the long poll, end it, and attach to its channels (a ChannelMux on the session's WebSocket). What desk-cli and any
 * other engineer tool build on; it decides nothing (the agent does).
 */

export interface AssistAsk {
  kinds: string[];
  reason: string;
  ticket?: string;
  durationMinutes?: number;
  forwardTargets?: string[];
}

/** The longest wait one long poll asks of the desk (its maximum). */
const LONG_POLL_SECONDS = 60;

/** States in which the agent or its operator has still to answer. */
export const isUndecided = (s: DeskAssistState) => s === 'requested' || s === 'pending';

/** An attached session: its channels, and how the socket ended. */
export interface AttachedSession {
  ws: WebSocket;
  mux: ChannelMux;
  /** Resolves when the socket closes (the desk says why: the session ended, the desk stopped …). */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export class AssistClient {
  constructor(private readonly api: DeskApiClient) {}

  async request(agent: string, ask: AssistAsk): Promise<AssistRequestRow> {
    return (await this.api.post<{ request: AssistRequestRow }>(`/api/v1/agents/${encodeURIComponent(agent)}/assist`, ask)).request;
  }

  async get(id: string, waitSeconds = 0): Promise<AssistRequestRow> {
    const q = waitSeconds > 0 ? { wait: String(waitSeconds) } : {};
    return (await this.api.get<{ request: AssistRequestRow }>(`/api/v1/assist/${encodeURIComponent(id)}`, q, waitSeconds)).request;
  }

  async list(q: { agent?: string | undefined; state?: string | undefined; limit?: string | undefined }): Promise<AssistRequestRow[]> {
    return (await this.api.get<{ requests: AssistRequestRow[] }>('/api/v1/assist', q)).requests;
  }

  async end(id: string): Promise<{ request: AssistRequestRow; delivery: string }> {
    return this.api.delete(`/api/v1/assist/${encodeURIComponent(id)}`);
  }

  async audit(agent: string, q: { after?: string | undefined; limit?: string | undefined }): Promise<{ agent: string; records: AuditRecordRow[]; chain: AuditChainStatus }> {
    return this.api.get(`/api/v1/agents/${encodeURIComponent(agent)}/audit`, q);
  }

  /**
   * Follows the request until the agent (its policy, its operator, a window) decided: one long poll per change, so
   * the engineer sees "pending" as soon as the operator is asked. `onChange` sees every state on the way; `stop`
   * (Ctrl-C) ends the wait early with the request as last seen.
   */
  async waitForDecision(id: string, onChange: (r: AssistRequestRow) => void, stop?: AbortSignal): Promise<AssistRequestRow> {
    let row = await this.get(id);
    onChange(row);
    while (isUndecided(row.state) && !stop?.aborted) {
      const next = await raceAbort(this.get(row.id, LONG_POLL_SECONDS), stop);
      if (!next) break;
      if (next.state !== row.state) onChange(next);
      row = next;
    }
    return row;
  }

  /**
   * The session's channel socket with a mux on the engineer's end. The desk takes the agent's role towards us, so we
   * open odd channel numbers, as a desk does; it fills in the agent's session id and the engineer's name.
   */
  async attach(id: string): Promise<AttachedSession> {
    const ws = await this.api.socket(`/api/v1/assist/${encodeURIComponent(id)}/channels`);
    const mux = new ChannelMux(ws, { side: 'desk' });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => undefined); // 'close' follows and says what is needed
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return mux.handleBinary(data);
      let m: ChannelMessage;
      try {
        m = JSON.parse(data.toString('utf8')) as ChannelMessage;
      } catch {
        return;
      }
      // Only the desk sends on this socket, and only channel messages; anything else is ignored rather than trusted.
      if (typeof m?.type === 'string' && m.type.startsWith('channel-')) void mux.handle(m);
    });
    ws.once('close', () => mux.closeAll('connection_lost'));
    return {
      ws,
      mux,
      closed,
      close: () => {
        if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000, 'engineer detached');
        setTimeout(() => ws.terminate(), 2000).unref();
      },
    };
  }
}

/** The promise's value, or undefined when `stop` fires first. */
function raceAbort<T>(p: Promise<T>, stop: AbortSignal | undefined): Promise<T | undefined> {
  if (!stop) return p;
  if (stop.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    stop.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (stop.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (stop.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
