import { readMonthFile, shiftMonth, type MonthFile } from '../core/store/rollup/month-file.js';
import { inspectionBrief, type InspectionBrief } from '../report/inspection/brief.js';
import { buildReport } from '../report/inspection/build.js';
import type { TunnelHost } from './host.js';
import type { Heartbeat } from './protocol/messages.js';

/** How long the current month's brief is reused: the checklist moves slowly, a heartbeat comes every minute. */
const CURRENT_TTL_MS = 10 * 60_000;

/**
 * The heartbeat's inspection briefs: this month so far, from the live roll-ups, and last month, complete, read once
 * from its file (in the background: until it is read, heartbeats carry this month only). So the desk has every
 * terminal's last month the whole of the next one, though it keeps only the latest heartbeat.
 */
export class InspectionBriefs {
  private current?: { at: number; brief: InspectionBrief };
  private previous?: { month: string; brief?: InspectionBrief };

  briefs(host: TunnelHost, now: Date): InspectionBrief[] {
    try {
      const month = host.rollups.month;
      if (!this.current || this.current.brief.month !== month || now.getTime() - this.current.at > CURRENT_TTL_MS) {
        this.current = { at: now.getTime(), brief: this.brief(host, month, host.rollups.snapshot(), now) };
      }
      const last = shiftMonth(month, 1);
      if (this.previous?.month !== last) {
        const previous: { month: string; brief?: InspectionBrief } = { month: last };
        this.previous = previous;
        const dir = host.status().agent.stateDir;
        if (dir) {
          void readMonthFile(dir, last)
            .then((data) => {
              if (data) previous.brief = this.brief(host, last, data, now);
            })
            .catch(() => undefined); // no brief for last month: the desk shows it as missing
        }
      }
      return [this.current.brief, ...(this.previous.brief ? [this.previous.brief] : [])];
    } catch {
      return []; // a report that cannot be built must not cost the heartbeat
    }
  }

  /** Only the checklist's verdicts are wanted, so the month before (suggestions' trends) is not read. */
  private brief(host: TunnelHost, month: string, data: MonthFile, now: Date): InspectionBrief {
    const s = host.status();
    const types = Object.fromEntries(s.checks.map((c) => [c.id, c.type]));
    return inspectionBrief(buildReport({ month, site: s.site, agentId: s.agent.id, version: s.agent.version, types, data, previous: undefined, now }));
  }
}

// Drift guard: the protocol's schema must describe exactly the brief agent/report makes, or this file stops compiling.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;
same<Same<NonNullable<Heartbeat['health']['inspection']>[number], InspectionBrief>>();
