import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import type { AgentSession } from './agent-session.js';

/** Live agent connections: one per agent id (a newer one replaces the older), and all of them for sweeps. */
export class SessionRegistry {
  private readonly byAgent = new Map<string, AgentSession>();
  readonly all = new Set<AgentSession>();

  add(s: AgentSession): void {
    this.all.add(s);
  }

  claim(s: AgentSession): void {
    const old = this.byAgent.get(s.agentId!);
    if (old && old !== s) old.close(CLOSE.replaced, 'replaced by a newer connection of this agent');
    this.byAgent.set(s.agentId!, s);
  }

  release(s: AgentSession): void {
    this.all.delete(s);
    if (s.agentId && this.byAgent.get(s.agentId) === s) this.byAgent.delete(s.agentId);
  }

  get(agentId: string): AgentSession | undefined {
    return this.byAgent.get(agentId);
  }

  get size(): number {
    return this.all.size;
  }
}
