/**
 * Per-agent storage quotas, applied inside the ingest transaction: open occurrences at once, and bytes stored per
 * day. What is over a quota is not stored (the caller still acknowledges it, so the agent does not resend it for
 * ever) and counted, so the desk can tell the agent and the engineer why.
 */
export interface Quotas {
  maxOpenFaults: number;
  bytesPerDay: number;
}

export type QuotaKind = 'open-faults' | 'bytes-per-day';

/** Items refused by each quota in one operation. */
export type Refused = Partial<Record<QuotaKind, number>>;

/** The day a quota counts in: China Standard Time, like the contracts' months (it resets at 00:00 +08:00). */
export function quotaDay(at: string): string {
  return new Date(Date.parse(at) + 8 * 3600_000).toISOString().slice(0, 10);
}

/** One agent's quotas during one operation: starts from its stored counters, admits or refuses item by item. */
export class QuotaMeter {
  readonly refused: Refused = {};

  constructor(
    private open: number,
    private bytes: number,
    private readonly q: Quotas,
  ) {}

  get storedBytes(): number {
    return this.bytes;
  }

  /** May `bytes` more be stored, opening a new occurrence if `opens`? Counted when admitted. */
  admit(bytes: number, opens: boolean): boolean {
    if (this.bytes + bytes > this.q.bytesPerDay) return this.refuse('bytes-per-day');
    if (opens && this.open >= this.q.maxOpenFaults) return this.refuse('open-faults');
    this.bytes += bytes;
    if (opens) this.open++;
    return true;
  }

  /** An occurrence this agent had open is resolved now. */
  resolved(): void {
    this.open = Math.max(0, this.open - 1);
  }

  private refuse(kind: QuotaKind): false {
    this.refused[kind] = (this.refused[kind] ?? 0) + 1;
    return false;
  }
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/** What was refused and why, short enough for a close frame's reason (123 bytes) and the agent's log. */
export function refusalText(kind: QuotaKind, count: number, q: Quotas): string {
  return kind === 'open-faults'
    ? `quota: ${q.maxOpenFaults} open occurrences; ${count} new not stored until some resolve`
    : `quota: ${mib(q.bytesPerDay)} stored today; ${count} not stored until 00:00 +08:00`;
}
