import type { Logger } from 'pino';
import type { DeskStore, IngestOp, OpResult } from '../store/types.js';

/** Whose operation this is; once one of its operations failed, its later ones are not applied (no gaps in seqs). */
export interface OpOwner {
  storeFailed: boolean;
}

interface Pending {
  op: IngestOp;
  owner?: OpOwner;
  resolve(r: OpResult): void;
  reject(err: Error): void;
}

const MAX_GROUP = 4000;

/** Events and audit records are acknowledged to agents: their commit must reach the disk first. */
const needsDurability = (op: IngestOp) => op.kind === 'events' || op.kind === 'audit';

/**
 * Group commit: operations from all connections queued in the same turn of the event loop are applied in one
 * transaction (one fsync), then each caller learns its result — only then does a session acknowledge events.
 * If the group fails, each operation is retried alone so one bad operation fails only its own connection.
 */
export class IngestQueue {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Committed transactions and operations, for the benchmarks. */
  readonly stats = { transactions: 0, ops: 0 };
  /** Called after each flush that committed something (the notification loop plans it at once). */
  onCommit: (() => void) | undefined;

  constructor(
    private readonly store: DeskStore,
    private readonly logger: Logger,
  ) {}

  push(op: IngestOp, owner?: OpOwner): Promise<OpResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ op, ...(owner ? { owner } : {}), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Applies everything queued now (the desk is stopping). */
  drain(): void {
    while (this.pending.length) this.flush();
  }

  private flush(): void {
    this.scheduled = false;
    const group = this.pending.splice(0, MAX_GROUP);
    if (this.pending.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const live = group.filter((p) => {
      if (!p.owner?.storeFailed) return true;
      p.reject(new Error('skipped: an earlier operation of this connection failed'));
      return false;
    });
    if (!live.length) return;
    try {
      const results = this.store.apply(live.map((p) => p.op), live.some((p) => needsDurability(p.op)));
      this.stats.transactions++;
      this.stats.ops += live.length;
      live.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      this.logger.error({ err: (err as Error).message, ops: live.length }, 'desk store: group commit failed; applying one by one');
      for (const p of live) {
        if (p.owner?.storeFailed) {
          p.reject(new Error('skipped: an earlier operation of this connection failed'));
          continue;
        }
        try {
          p.resolve(this.store.apply([p.op], needsDurability(p.op))[0]!);
          this.stats.transactions++;
          this.stats.ops++;
        } catch (e) {
          if (p.owner) p.owner.storeFailed = true;
          p.reject(e as Error);
        }
      }
    }
    this.onCommit?.();
  }
}
