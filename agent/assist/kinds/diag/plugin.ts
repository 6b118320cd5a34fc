import type { Channel } from '../../../tunnel/channels/channel.js';
import type { ChannelCloseReason } from '../../../tunnel/channels/close-reasons.js';
import { checkAgainst } from '../params.js';
import type { AssistKindPlugin, KindContext } from '../types.js';
import { DIAG_ACTIONS, DiagArgsError, diagAction, type DiagAnswer } from './actions/index.js';
import { encodeDiagHeader } from './header.js';
import type { DiagHost } from './host.js';
import { redactLine } from './redact.js';
import { DiagParamsSchema, type DiagParams } from './schema.js';

/** Body bytes per channel write: each write is awaited, so the bundle leaves as fast as the desk takes it. */
const SLICE = 64 * 1024;
const AUDIT_ARGS_MAX = 300;

export interface DiagKindDeps {
  /** The running agent's side; undefined until it runs. */
  host: () => DiagHost | undefined;
}

type Outcome = { ok: true; action: string; args: string; answer: DiagAnswer } | { ok: false; action: string; args: string; error: string; close: ChannelCloseReason };

/** diag: one fixed action per channel, named in the open's params; the answer is a header line and a body. */
export function diagKind(deps: DiagKindDeps): AssistKindPlugin {
  return {
    kind: 'diag',
    open: async () => {
      const host = deps.host();
      if (!host) return { refuse: 'error', detail: 'the agent is not running yet: diagnostics have nothing to act on' };
      return { window: 4096, start: (ctx) => void serve(ctx, host) };
    },
  };
}

async function decide(params: KindContext['params'], host: DiagHost): Promise<Outcome> {
  const action = typeof params.action === 'string' ? params.action : '';
  const rawArgs = typeof params.args === 'string' ? params.args : '{}';
  const fail = (error: string, close: ChannelCloseReason = 'bad_params'): Outcome => ({ ok: false, action, args: rawArgs, error, close });
  const p = checkAgainst<DiagParams>(DiagParamsSchema, params, 'params');
  if (!p.ok) return fail(p.error);
  const def = diagAction(action);
  if (!def) return fail(`unknown action "${action}"; known: ${DIAG_ACTIONS.map((a) => a.name).join(', ')}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawArgs);
  } catch (err) {
    return fail(`args: not JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('args: must be a JSON object');
  const args = checkAgainst<never>(def.args, parsed, 'args');
  if (!args.ok) return fail(args.error);
  const shown = JSON.stringify(args.value);
  try {
    return { ok: true, action, args: shown, answer: await def.run(args.value, host) };
  } catch (err) {
    return { ...fail((err as Error).message, err instanceof DiagArgsError ? 'bad_params' : 'error'), args: shown };
  }
}

async function serve(ctx: KindContext, host: DiagHost): Promise<void> {
  const ch = ctx.channel;
  ch.setReader(() => undefined); // the engineer sends nothing on a diag channel; anything sent is dropped
  const started = Date.now();
  const out = await decide(ctx.params, host);
  let bytes = 0;
  let delivered = true;
  try {
    if (out.ok) {
      const { answer } = out;
      bytes += await send(ch, encodeDiagHeader({ ok: true, action: out.action, contentType: answer.contentType, ...(answer.fileName ? { fileName: answer.fileName } : {}) }));
      for (let at = 0; at < answer.body.length; at += SLICE) {
        bytes += await send(ch, answer.body.subarray(at, at + SLICE));
        ctx.touch();
      }
      ch.close('done');
    } else {
      bytes += await send(ch, encodeDiagHeader({ ok: false, action: out.action, error: out.error }));
      ch.close(out.close);
    }
  } catch {
    delivered = false; // the channel closed under us: the engineer hung up or the session ended
  }
  ctx.touch();
  const summary = (out.ok ? out.answer.summary : out.error.slice(0, 200)) + (delivered ? '' : ' (not delivered: the channel closed)');
  ctx.logger.info({ session: ctx.session.id, action: out.action, ok: out.ok, bytes, ms: Date.now() - started }, `diag ${out.action || '(none)'}: ${summary}`);
  await ctx
    .audit('diag-action', {
      session: ctx.session.id,
      engineer: ctx.session.request.engineer,
      action: out.action,
      args: redactLine(out.args).slice(0, AUDIT_ARGS_MAX),
      ok: out.ok,
      summary,
      bytes,
    })
    .catch((err: Error) => ctx.logger.error({ err: err.message, session: ctx.session.id }, 'diag: the audit record could not be written'));
}

async function send(ch: Channel, buf: Buffer): Promise<number> {
  await ch.write(buf);
  return buf.length;
}
