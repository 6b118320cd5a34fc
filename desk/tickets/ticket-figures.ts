import type Database from 'better-sqlite3';
import { TICKET_STATES, type TicketState } from './ticket-states.js';
import type { Satisfaction, TicketFigures } from './ticket-types.js';

const SATISFACTIONS: readonly Satisfaction[] = [1, 2, 3, 4, 5];

/**
 * The tickets' figures for the monthly service report over [from, to): tickets opened in the range by origin and by
 * the state they are in now, and the closures and follow-ups (回访) made in the range with their satisfaction. Run
 * once a month: the statements are prepared per call.
 */
export function ticketFigures(db: Database.Database, from: string, to: string): TicketFigures {
  const opened = db
    .prepare(`SELECT origin, state, COUNT(*) AS n FROM tickets WHERE opened_at >= ? AND opened_at < ? GROUP BY origin, state`)
    .all(from, to) as { origin: 'fault' | 'hand'; state: TicketState; n: number }[];
  const closed = (db.prepare(`SELECT COUNT(*) AS n FROM tickets WHERE closed_at >= ? AND closed_at < ?`).get(from, to) as { n: number }).n;
  const followed = db
    .prepare(`SELECT satisfaction, COUNT(*) AS n FROM tickets WHERE followed_up_at >= ? AND followed_up_at < ? GROUP BY satisfaction`)
    .all(from, to) as { satisfaction: Satisfaction; n: number }[];

  const stateNow = Object.fromEntries(TICKET_STATES.map((s) => [s, 0])) as Record<TicketState, number>;
  const byOrigin = { fault: 0, hand: 0 };
  for (const r of opened) {
    stateNow[r.state] += r.n;
    byOrigin[r.origin] += r.n;
  }
  const distribution = Object.fromEntries(SATISFACTIONS.map((s) => [String(s), 0])) as TicketFigures['satisfaction']['distribution'];
  let followUps = 0;
  let sum = 0;
  for (const r of followed) {
    distribution[`${r.satisfaction}`] += r.n;
    followUps += r.n;
    sum += r.satisfaction * r.n;
  }
  return {
    from,
    to,
    opened: { total: byOrigin.fault + byOrigin.hand, ...byOrigin },
    stateNow,
    closed,
    followUps,
    satisfaction: { mean: followUps ? sum / followUps : null, distribution },
  };
}
