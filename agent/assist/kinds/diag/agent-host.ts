import { access } from 'node:fs/promises';
import { filesFor } from '../../../checks/logs/files.js';
import type { GuardpostConfig } from '../../../core/config/types.js';
import type { Agent } from '../../../core/runtime/agent.js';
import { generateReport } from '../../../report/generate.js';
import { configView } from './config-view.js';
import type { DiagHost, DiagLogSource } from './host.js';
import { versionsReport } from './versions.js';

export interface AgentDiagHostOptions {
  /** The configuration the agent runs on (the Agent keeps it private). */
  config: GuardpostConfig;
  /** The audit log file (AuditLog.file). */
  auditFile: string;
  /** The agent's own log file; default config.logging.file. */
  logFile?: string | null;
  now?: () => Date;
}

/** How far a logs check's globs are followed when naming files for tail-log (the check's own limits apply too). */
const LIST_TIMEOUT_MS = 5000;

/** The running agent as the diagnostic actions see it. */
export function agentDiagHost(agent: Agent, o: AgentDiagHostOptions): DiagHost {
  const logFile = o.logFile === undefined ? o.config.logging.file : o.logFile;
  return {
    agentId: o.config.agent.id,
    auditFile: o.auditFile,
    checks: () => agent.status().checks.map((c) => ({ id: c.id, type: c.type })),
    runChecks: (ids) => agent.scheduler.runNow(ids),
    status: () => agent.status(),
    logSources: async () => [...(logFile ? [{ name: 'agent', file: logFile, encoding: 'utf8' as const }] : []), ...(await logsCheckFiles(o.config))],
    agentLogs: async () => {
      if (!logFile) return [];
      const files = [logFile, ...Array.from({ length: o.config.logging.maxFiles }, (_, i) => `${logFile}.${i + 1}`)];
      const present = await Promise.all(files.map((f) => access(f).then(() => f, () => undefined)));
      return present.filter((f): f is string => f !== undefined);
    },
    config: () => configView(o.config),
    versions: () => versionsReport(agent.status().agent.version),
    history: () => agent.history.all(),
    faults: () => ({ active: agent.engine.active(), recent: [...agent.store.pendingTransitions()] }),
    report: (month) =>
      generateReport({
        dir: o.config.storage.dir,
        ...(month !== undefined ? { month } : {}),
        live: agent.rollups,
        site: o.config.site,
        agentId: o.config.agent.id,
        version: agent.status().agent.version,
        types: Object.fromEntries(o.config.checks.map((c) => [c.id, c.type])),
        ...(o.now ? { now: o.now() } : {}),
      }),
    now: o.now ?? (() => new Date()),
  };
}

/** Files the enabled logs checks follow now, named "<check id>:<path>". */
async function logsCheckFiles(config: GuardpostConfig): Promise<DiagLogSource[]> {
  const out: DiagLogSource[] = [];
  const signal = AbortSignal.timeout(LIST_TIMEOUT_MS);
  for (const c of config.checks) {
    if (c.type !== 'logs' || !c.enabled) continue;
    const s = c.settings as { paths: string[]; maxDepth?: number; maxFiles?: number; encoding?: 'utf8' | 'gbk' };
    for (const entry of s.paths) {
      const files = await filesFor(entry, s.maxDepth ?? 2, s.maxFiles ?? 20, signal).catch(() => []);
      for (const f of files) out.push({ name: `${c.id}:${f.path}`, file: f.path, encoding: s.encoding ?? 'utf8' });
    }
  }
  return out;
}
