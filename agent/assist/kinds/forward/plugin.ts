import { checkAgainst } from '../params.js';
import { parseTarget, targetKey } from '../../policy/targets.js';
import type { AssistKindPlugin, KindRefusal } from '../types.js';
import { forwardRefusal } from './allow.js';
import { connectTarget } from './connect.js';
import { pipeForward } from './pipe.js';
import { ForwardParamsSchema, type ForwardParams } from './schema.js';

export interface ForwardKindOptions {
  /** How long a connect may take (default 10 s, well inside the desk's 30 s open wait). */
  connectTimeoutMs?: number;
}

/**
 * forward: one TCP connection per channel to one allow-listed target. Nothing connects before the target is found in
 * the policy's allowlist and in the request's own list; every connection (and every refused target) is audited.
 */
export function forwardKind(o: ForwardKindOptions = {}): AssistKindPlugin {
  const timeoutMs = o.connectTimeoutMs ?? 10_000;
  return {
    kind: 'forward',
    open: async ({ params, session, policy }) => {
      const p = checkAgainst<ForwardParams>(ForwardParamsSchema, params, 'params');
      if (!p.ok) return { refuse: 'bad_params', detail: p.error };
      const target = parseTarget(p.value.target);
      if (typeof target === 'string') return { refuse: 'bad_params', detail: `params.target "${p.value.target}": ${target}` };
      const key = targetKey(target);
      const record = (closedBy: string, extra: Record<string, string | number>): KindRefusal['audit'] => ({
        kind: 'forward-connection',
        fields: { session: session.id, engineer: session.request.engineer, target: key, bytesToTarget: 0, bytesFromTarget: 0, durationMs: 0, closedBy, ...extra },
      });
      const why = forwardRefusal(target, policy, session);
      // Refused targets are audited too: an attempt to reach what the owner did not allow is worth a record.
      if (why) return { refuse: 'denied', detail: why, audit: record('refused', { detail: why }) };
      const startedAt = Date.now();
      const c = await connectTarget(target, timeoutMs);
      if ('errno' in c) {
        const detail = `connect to ${key} failed: ${c.errno} (${c.message})`;
        return { refuse: 'error', detail, audit: record('error', { errno: c.errno, durationMs: Date.now() - startedAt }) };
      }
      const socket = c.socket;
      return {
        cancel: () => socket.destroy(),
        start: (ctx) =>
          void pipeForward(ctx, socket).then((end) =>
            ctx
              .audit('forward-connection', {
                session: session.id,
                engineer: session.request.engineer,
                target: key,
                bytesToTarget: end.bytesToTarget,
                bytesFromTarget: end.bytesFromTarget,
                durationMs: Date.now() - startedAt,
                closedBy: end.closedBy,
                ...(end.errno ? { errno: end.errno } : {}),
              })
              .catch((err: Error) => ctx.logger.error({ err: err.message, session: session.id }, 'forward: the audit record could not be written')),
          ),
      };
    },
  };
}
