import type { Heartbeat } from './protocol/messages.js';
import type { TunnelHost } from './host.js';
import { InspectionBriefs } from './inspection-briefs.js';
import { fitFaults } from './outbox-reader.js';

/**
 * Builds heartbeats: the agent's health as the desk shows it, and the open critical faults, re-asserted each time
 * so a desk that lost its state relearns them. CPU is measured between two heartbeats.
 */
export class HeartbeatBuilder {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private readonly inspection = new InspectionBriefs();

  build(host: TunnelHost, now: Date): Heartbeat {
    const status = host.status();
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const usedMs = (cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system) / 1000;
    const cpuPercent = wall > this.lastAt ? Math.round((usedMs / (wall - this.lastAt)) * 1000) / 10 : 0;
    this.lastCpu = cpu;
    this.lastAt = wall;
    const store = status.store;
    const oldest = store.oldestPendingAt ? Math.max(0, Math.round((now.getTime() - Date.parse(store.oldestPendingAt)) / 1000)) : null;
    return {
      type: 'heartbeat',
      at: now.toISOString(),
      health: {
        rssBytes: status.process.rssBytes,
        heapUsedBytes: status.process.heapUsedBytes,
        cpuPercent: Math.max(0, cpuPercent),
        uptimeSeconds: Math.max(0, status.agent.uptimeSeconds),
        outboxDepth: store.outboxDepth,
        outboxBytes: store.outboxBytes,
        oldestUndeliveredAgeSeconds: oldest,
        evicted: store.evicted,
        storeWriteError: store.writeError !== undefined,
        checks: { total: status.checks.length, failing: status.checks.filter((c) => c.last?.some((r) => r.status === 'fail')).length },
        faults: status.counts,
        inspection: this.inspection.briefs(host, now),
      },
      // Bounded like the snapshot: a heartbeat the desk refuses would close the connection every minute.
      critical: fitFaults(status.faults.filter((f) => f.severity === 'critical'), 200, 256 * 1024).faults,
    };
  }
}
