import type { Logger } from 'pino';
import type { GuardpostConfig } from '../core/config/types.js';
import type { Agent } from '../core/runtime/agent.js';
import type { AssistSetup } from '../tunnel/session.js';
import type { ConsentBroker } from '../web/consent-broker.js';
import { AuditLog, auditDirOf } from './audit/audit-log.js';
import type { PolicyState } from './policy/evaluate.js';
import { AssistSessions } from './session/assist-sessions.js';
import { auditSinkOf } from './session/audit-sink.js';
import { DeskAssistPeer } from './session/desk-peer.js';
import { closeUnfinishedSessions } from './session/unfinished.js';

export interface AssistRuntimeOptions {
  config: GuardpostConfig;
  logger: Logger;
  consent: ConsentBroker;
  /** Whether the operator can be asked now (page, CLI). */
  consentPaths: () => PolicyState['consentPaths'];
  /** The running agent, once it runs (diagnostics act on it; channels open only after the tunnel started). */
  agent: () => Agent | undefined;
}

/** Remote assistance as the agent runs it: the audit log, the session layer, the kinds, and the tunnel's side. */
export interface AssistRuntime {
  sessions: AssistSessions;
  audit: AuditLog;
  /** For DeskTunnelOptions.assist. */
  setup: AssistSetup;
  close(): Promise<void>;
}

/**
 * Starts remote assistance (only called when the config enables it). Without a writable audit log there is no
 * assistance: nothing may happen on the terminal that is not recorded, so an error here leaves it off.
 */
export async function startAssistRuntime(o: AssistRuntimeOptions): Promise<AssistRuntime> {
  const policy = o.config.assist;
  const audit = await AuditLog.open(auditDirOf(o.config.storage.dir));
  if (audit.recovered) o.logger.warn({ ...audit.recovered }, 'the audit log had a torn last line (a crash while writing); it was cut and kept aside');
  const unfinished = await closeUnfinishedSessions(audit);
  if (unfinished) o.logger.warn({ sessions: unfinished }, 'remote-assistance sessions of the previous run never ended (it died): recorded as ended by the restart');
  const sessions = new AssistSessions({
    policy,
    consent: o.consent,
    audit: auditSinkOf(audit),
    consentPaths: o.consentPaths,
    onError: (err) => o.logger.error({ err: (err as Error).message }, 'remote assistance: audit or close failed'),
  });
  const peer = new DeskAssistPeer(sessions, o.logger);
  const { openHandlerFor } = await import('./open-handler.js');
  const setup: AssistSetup = {
    onOpen: openHandlerFor({ config: o.config, logger: o.logger, sessions, audit, agent: o.agent }),
    options: { sessionBytesPerSecond: policy.bandwidthBytesPerSecond },
    sessions: peer,
    audit,
  };
  return {
    sessions,
    audit,
    setup,
    async close() {
      sessions.close();
      peer.close();
      await audit.close();
    },
  };
}
