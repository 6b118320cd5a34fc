import type { CheckStateHandle } from '../../core/checks/plugin.js';

/** Persisted per check (CheckStateHandle): card reads on the current local day. */
interface CardDay {
  day: string;
  reads: number;
}

/**
 * Counts card reads per day from a monitor's running insertion counter. A card going in is information (how busy
 * the counter is, whether the reader is used at all), never a fault. The count survives agent restarts through the
 * check's state; a counter that went backwards (the monitor restarted, a PC/SC reader was rediscovered) restarts
 * the delta from zero.
 */
export class CardLog {
  /** The monitor was created with this probe: every insertion it counted is new. */
  private lastTotal = 0;

  constructor(private readonly state: CheckStateHandle) {}

  update(totalInsertions: number, now: Date): number {
    const today = localDay(now);
    const stored = this.state.get<{ cards?: CardDay }>()?.cards;
    let reads = stored?.day === today ? stored.reads : 0;
    const delta = totalInsertions >= this.lastTotal ? totalInsertions - this.lastTotal : totalInsertions;
    this.lastTotal = totalInsertions;
    if (delta > 0 || stored?.day !== today) {
      reads += delta;
      this.state.set({ ...(this.state.get<object>() ?? {}), cards: { day: today, reads } });
    }
    return reads;
  }
}

/** YYYY-MM-DD in the terminal's own time zone: a pharmacy's "today". */
export function localDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
