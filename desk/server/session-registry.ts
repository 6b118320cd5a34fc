import { CLOSE, type CloseCode } from '../../agent/tunnel/protocol/constants.js';

/** What the registry needs of a connection: who it is (once its hello is in) and how to end it. */
export interface LiveSession {
  readonly agentId?: string | undefined;
  close(code: CloseCode, reason: string): void;
}

/**
 * Live agent connections: one per agent id (a newer one replaces the older), and all of them for sweeps. Generic
 * over the session type, so the registry knows sessions only by this small contract (no cycle with agent-session).
 */
export class SessionRegistry<S extends LiveSession = LiveSession> {
  private readonly byAgent = new Map<string, S>();
  readonly all = new Set<S>();

  add(s: S): void {
    this.all.add(s);
  }

  claim(s: S): void {
    const old = this.byAgent.get(s.agentId!);
    if (old && old !== s) old.close(CLOSE.replaced, 'replaced by a newer connection of this agent');
    this.byAgent.set(s.agentId!, s);
  }

  release(s: S): void {
    this.all.delete(s);
    if (s.agentId && this.byAgent.get(s.agentId) === s) this.byAgent.delete(s.agentId);
  }

  get(agentId: string): S | undefined {
    return this.byAgent.get(agentId);
  }

  get size(): number {
    return this.all.size;
  }
}
