import type { Logger } from 'pino';
import type { GuardpostConfig } from '../core/config/types.js';
import type { Agent } from '../core/runtime/agent.js';
import type { OpenHandler } from '../tunnel/channels/mux.js';
import type { AuditLog } from './audit/audit-log.js';
import { createAssistOpenHandler } from './channel-handler.js';
import { agentDiagHost } from './kinds/diag/agent-host.js';
import type { DiagHost } from './kinds/diag/host.js';
import { createKinds } from './kinds/registry.js';
import type { AssistSessions } from './session/assist-sessions.js';

export interface OpenHandlerDeps {
  config: GuardpostConfig;
  logger: Logger;
  sessions: AssistSessions;
  audit: AuditLog;
  agent: () => Agent | undefined;
}

/**
 * The tunnel's open handler with every kind the agent offers. Loaded on demand by runtime.ts: the kinds (and the
 * shell's native pty module) cost nothing on a terminal whose config leaves assistance off.
 */
export function openHandlerFor(d: OpenHandlerDeps): OpenHandler {
  let host: DiagHost | undefined;
  const diagHost = (): DiagHost | undefined => {
    if (host) return host;
    const agent = d.agent();
    if (agent) host = agentDiagHost(agent, { config: d.config, auditFile: d.audit.file });
    return host;
  };
  return createAssistOpenHandler({
    sessions: d.sessions,
    policy: d.config.assist,
    kinds: createKinds({ diagHost, storageDir: d.config.storage.dir }),
    audit: d.audit,
    logger: d.logger.child({ component: 'assist' }),
  });
}
