import type { DeskLimits } from '../config.js';
import type { LimitKind } from '../store/types.js';
import { TokenBucket } from './token-bucket.js';

/** How often one agent's limit of one kind is logged and recorded at most (a flood must not flood the log too). */
const NOTICE_EVERY_MS = 60_000;
/** How often a quota closes an agent's connection at most, to put the reason in the agent's log. */
const QUOTA_CLOSE_EVERY_MS = 3600_000;

interface AgentState {
  events: TokenBucket;
  connects: TokenBucket;
  /** The highest seq told to the agent as committed (ack or hello) during this run of the desk. */
  releasedSeq: number;
  noticedAt: Map<LimitKind, number>;
  /** Occurrences not logged yet (within NOTICE_EVERY_MS of the last notice). */
  unnoticed: Map<LimitKind, number>;
  quotaClosedAt: Map<LimitKind, number>;
}

/**
 * Per-agent rate limits that outlive a connection (a reconnect must not buy a fresh allowance): events, through
 * how fast they are acknowledged, and connects. The rest (heartbeats, other frames, the window) is per connection,
 * in the session. In memory: a restarted desk starts every agent with its full burst.
 */
export class AgentLimits {
  private readonly agents = new Map<string, AgentState>();

  constructor(
    readonly limits: DeskLimits,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  private state(agentId: string): AgentState {
    let s = this.agents.get(agentId);
    if (!s) {
      const now = this.clock();
      s = {
        events: new TokenBucket(this.limits.eventsPerSecond, this.limits.eventBurst, now),
        connects: new TokenBucket(this.limits.connectsPerMinute / 60, this.limits.connectBurst, now),
        releasedSeq: 0,
        noticedAt: new Map(),
        unnoticed: new Map(),
        quotaClosedAt: new Map(),
      };
      this.agents.set(agentId, s);
    }
    return s;
  }

  /** A new connection of this agent: false when it connects more often than the limit allows. */
  allowConnect(agentId: string): boolean {
    return this.state(agentId).connects.tryTake(1, this.clock());
  }

  /** n events arrived: how long (ms) their acknowledgement waits so the agent keeps to the rate after its burst. */
  chargeEvents(agentId: string, n: number): number {
    return this.state(agentId).events.take(n, this.clock());
  }

  /**
   * The seq desk hello reports as committed. While the agent still owes (its acknowledgements were being held when
   * it reconnected), only what was acknowledged: the agent resends the rest, which the desk deduplicates, instead of
   * a reconnect releasing them at once.
   */
  resumeSeq(agentId: string, committed: number): number {
    const s = this.state(agentId);
    const owes = s.events.balance(this.clock()) < 0;
    const seq = owes ? Math.min(committed, s.releasedSeq) : committed;
    s.releasedSeq = seq;
    return seq;
  }

  /** An acknowledgement up to seq was sent. */
  released(agentId: string, seq: number): void {
    const s = this.state(agentId);
    s.releasedSeq = Math.max(s.releasedSeq, seq);
  }

  /**
   * A limit was applied n times. Returns how many times to report now (since the last report), or 0 while within a
   * minute of it: the caller logs and records at most once a minute per agent and kind.
   */
  notice(agentId: string, kind: LimitKind, n = 1): number {
    const s = this.state(agentId);
    const now = this.clock();
    const pending = (s.unnoticed.get(kind) ?? 0) + n;
    const last = s.noticedAt.get(kind);
    if (last !== undefined && now - last < NOTICE_EVERY_MS) {
      s.unnoticed.set(kind, pending);
      return 0;
    }
    s.noticedAt.set(kind, now);
    s.unnoticed.delete(kind);
    return pending;
  }

  /** Whether a quota should close the connection now to tell the agent (at most once an hour per agent and quota). */
  quotaCloseDue(agentId: string, kind: LimitKind): boolean {
    const s = this.state(agentId);
    const now = this.clock();
    const last = s.quotaClosedAt.get(kind);
    if (last !== undefined && now - last < QUOTA_CLOSE_EVERY_MS) return false;
    s.quotaClosedAt.set(kind, now);
    return true;
  }
}
