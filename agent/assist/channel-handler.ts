import type { Channel } from '../tunnel/channels/channel.js';
import type { OpenDecision, OpenHandler, OpenRequest } from '../tunnel/channels/mux.js';
import type { AuditKind } from './audit/kinds.js';
import type { AuditFields } from './audit/record.js';
import { isRefusal, type AssistKindPlugin, type KindContext, type KindLogger, type KindStart } from './kinds/types.js';
import type { AssistPolicy } from './policy/schema.js';
import type { AssistSession, AssistSessions } from './session/assist-sessions.js';

export interface AssistOpenHandlerOptions {
  sessions: AssistSessions;
  policy: AssistPolicy;
  kinds: readonly AssistKindPlugin[];
  audit: { append(kind: AuditKind, fields: AuditFields): Promise<unknown> };
  logger: KindLogger;
}

/**
 * Decides the desk's channel opens. In order: the channel names a session that is running (else unknown_session);
 * its kind is one the operator approved for that session and the policy still allows (else denied); then the kind's
 * plugin checks its params and rules. An accepted channel belongs to its session: it closes 'session_ended' when the
 * session ends, and its traffic keeps the session's idle timeout away.
 */
export function createAssistOpenHandler(o: AssistOpenHandlerOptions): OpenHandler {
  const byKind = new Map(o.kinds.map((k) => [k.kind as string, k]));
  const refuse = (req: OpenRequest, reason: 'unknown_session' | 'denied' | 'error', detail: string): OpenDecision => {
    o.logger.warn({ channel: req.channel, kind: req.kind, session: req.session, reason, detail }, 'assistance channel refused');
    return { refuse: reason };
  };

  return async (req) => {
    if (!req.session) return refuse(req, 'unknown_session', 'the open names no session');
    const session = o.sessions.get(req.session);
    if (!session) return refuse(req, 'unknown_session', `no session ${req.session}`);
    if (session.state !== 'running') return refuse(req, 'unknown_session', `session ${session.id} is ${session.state}, not running`);
    const plugin = byKind.get(req.kind);
    if (!(session.request.kinds as string[]).includes(req.kind)) {
      return refuse(req, 'denied', `kind "${req.kind}" was not approved for this session (approved: ${session.request.kinds.join(', ')})`);
    }
    if (!plugin) return refuse(req, 'denied', `this agent has no plugin for kind "${req.kind}"`);
    // The policy is read again here: a kind switched off since the session was approved opens no new channel.
    if (!o.policy.kinds[plugin.kind]) return refuse(req, 'denied', `kind "${req.kind}" is off in assist.kinds`);
    let answer;
    try {
      answer = await plugin.open({ params: req.params, session, policy: o.policy, channel: req.channel });
    } catch (err) {
      return refuse(req, 'error', `the ${req.kind} plugin failed: ${(err as Error).message}`);
    }
    if (isRefusal(answer)) {
      o.logger.warn({ channel: req.channel, kind: req.kind, session: session.id, reason: answer.refuse, detail: answer.detail }, 'assistance channel refused');
      if (answer.audit) {
        await o.audit.append(answer.audit.kind, answer.audit.fields).catch((err: Error) => o.logger.error({ err: err.message }, 'audit append failed'));
      }
      return { refuse: answer.refuse };
    }
    return { ...(answer.window ? { window: answer.window } : {}), accept: (ch) => run(o, session, ch, answer) };
  };
}

/** The accepted channel: owned by its session, then handed to the kind. */
function run(o: AssistOpenHandlerOptions, session: AssistSession, ch: Channel, started: KindStart): void {
  let release: () => void;
  try {
    release = o.sessions.own(session.id, () => ch.close('session_ended'));
  } catch {
    // The session ended between the plugin's checks and the accept.
    started.cancel?.();
    ch.close('session_ended');
    return;
  }
  ch.once('close', () => release());
  const ctx: KindContext = {
    session,
    channel: ch,
    params: ch.params,
    policy: o.policy,
    audit: (kind, fields) => o.audit.append(kind, fields),
    touch: () => o.sessions.touch(session.id),
    logger: o.logger,
  };
  o.logger.info({ channel: ch.id, kind: ch.kind, session: session.id, engineer: session.request.engineer }, 'assistance channel open');
  try {
    started.start(ctx);
  } catch (err) {
    o.logger.error({ channel: ch.id, kind: ch.kind, err: (err as Error).message }, 'assistance channel failed to start');
    ch.close('error');
  }
}
