import { afterEach, describe, expect, it } from 'vitest';
import { assistRig, basePolicy, collect, waitFor } from './kinds/test-support/assist-rig.js';
import { muxPair } from './kinds/test-support/mux-pair.js';
import type { AssistKindPlugin, KindOpenRequest, KindRefusal, KindStart } from './kinds/types.js';

/*
 * The open handler between the channel layer and the kinds, with the real session layer (AssistSessions on a
 * ConsentBroker, the audit log on disk) and two real muxes over a loopback WebSocket. The kinds here are small
 * echo plugins written against the contract, so what is tested is the handler's part alone.
 */
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

/** A plugin that echoes, or refuses / throws as told; it records what it was asked and whether cancel ran. */
function echoKind(kind: AssistKindPlugin['kind'], behave: (req: KindOpenRequest) => KindRefusal | KindStart | 'throw' | 'echo' = () => 'echo') {
  const seen = { requests: [] as KindOpenRequest[], cancelled: 0 };
  const plugin: AssistKindPlugin = {
    kind,
    open: async (req) => {
      seen.requests.push(req);
      const b = behave(req);
      if (b === 'throw') throw new Error('plugin exploded');
      if (b !== 'echo') return b;
      return {
        start: (ctx) =>
          ctx.channel.setReader(async (chunk) => {
            ctx.touch();
            await ctx.channel.write(chunk);
          }),
        cancel: () => void seen.cancelled++,
      };
    },
  };
  return { plugin, seen };
}

async function setup(kinds: AssistKindPlugin[], policy = basePolicy()) {
  const rig = await assistRig(policy, () => kinds);
  const pair = await muxPair(rig.handler);
  cleanup.push(() => rig.close(), () => pair.close());
  return { rig, pair };
}

const reasonOf = (p: Promise<unknown>) => p.then(() => 'accepted', (err: { reason?: string }) => err.reason ?? String(err));

describe('the assistance open handler', () => {
  it('unknown_session: no session named, an unknown one, one still pending, one that ended', async () => {
    const diag = echoKind('diag');
    const { rig, pair } = await setup([diag.plugin]);
    expect(await reasonOf(pair.desk.open({ kind: 'diag' }))).toBe('unknown_session');
    expect(await reasonOf(pair.desk.open({ kind: 'diag', session: 'no-such-session' }))).toBe('unknown_session');
    const pending = rig.sessions.request({ engineer: '张工', reason: 'x', kinds: ['diag'], durationMinutes: 5 });
    expect(pending.state).toBe('pending');
    expect(await reasonOf(pair.desk.open({ kind: 'diag', session: pending.id }))).toBe('unknown_session');
    rig.consent.approve(pending.id, 'local-cli');
    rig.sessions.endByEngineer(pending.id, 'done');
    expect(await reasonOf(pair.desk.open({ kind: 'diag', session: pending.id }))).toBe('unknown_session');
    expect(diag.seen.requests).toHaveLength(0); // the plugin is never asked
    expect(rig.logger.lines.filter((l) => l.msg === 'assistance channel refused').map((l) => (l.fields as { detail: string }).detail)).toEqual([
      'the open names no session',
      'no session no-such-session',
      `session ${pending.id} is pending, not running`,
      `session ${pending.id} is ended, not running`,
    ]);
  });

  it('denied: a kind the session was not approved for, a kind the policy turned off since, a kind with no plugin', async () => {
    const diag = echoKind('diag');
    const forward = echoKind('forward');
    // The sessions were approved under a policy with forward on; the handler reads the policy as it is now.
    const rig = await assistRig(basePolicy(), () => []);
    const { createAssistOpenHandler } = await import('./channel-handler.js');
    const handler = createAssistOpenHandler({ sessions: rig.sessions, policy: basePolicy({ kinds: { diag: true, forward: false, shell: false } }), kinds: [diag.plugin, forward.plugin], audit: rig.audit, logger: rig.logger });
    const pair = await muxPair(handler);
    cleanup.push(() => rig.close(), () => pair.close());
    const id = rig.approved({ kinds: ['diag', 'forward', 'shell'], forwardTargets: ['127.0.0.1:5900'] });
    const diagOnly = rig.approved({ kinds: ['diag'] });
    expect(await reasonOf(pair.desk.open({ kind: 'forward', session: diagOnly }))).toBe('denied');
    expect(await reasonOf(pair.desk.open({ kind: 'forward', session: id }))).toBe('denied');
    expect(await reasonOf(pair.desk.open({ kind: 'shell', session: id }))).toBe('denied');
    expect(await reasonOf(pair.desk.open({ kind: 'diag', session: id }))).toBe('accepted');
    expect(forward.seen.requests).toHaveLength(0);
    const details = rig.logger.lines.filter((l) => l.msg === 'assistance channel refused').map((l) => (l.fields as { detail: string }).detail);
    expect(details).toEqual([
      'kind "forward" was not approved for this session (approved: diag)',
      'kind "forward" is off in assist.kinds',
      'this agent has no plugin for kind "shell"',
    ]);
  });

  it("a plugin's refusal goes to the desk, its detail to the log, its audit record to the audit log; a throwing plugin is 'error'", async () => {
    const diag = echoKind('diag', (req) =>
      req.params.mode === 'throw'
        ? 'throw'
        : { refuse: 'bad_params', detail: 'params.x: expected whole number', audit: { kind: 'diag-action', fields: { session: req.session.id, action: 'x', ok: false } } },
    );
    const { rig, pair } = await setup([diag.plugin]);
    const id = rig.approved();
    expect(await reasonOf(pair.desk.open({ kind: 'diag', session: id, params: { x: 'y' } }))).toBe('bad_params');
    expect(diag.seen.requests[0]).toMatchObject({ params: { x: 'y' }, session: { id, state: 'running' }, channel: 1 });
    expect(rig.logger.lines.some((l) => (l.fields as { detail?: string }).detail === 'params.x: expected whole number')).toBe(true);
    expect((await rig.records()).filter((r) => r.kind === 'diag-action')).toEqual([expect.objectContaining({ session: id, action: 'x', ok: false })]);
    expect(await reasonOf(pair.desk.open({ kind: 'diag', session: id, params: { mode: 'throw' } }))).toBe('error');
    expect(rig.logger.lines.some((l) => /plugin exploded/.test((l.fields as { detail?: string }).detail ?? ''))).toBe(true);
  });

  it('an accepted channel runs the kind and belongs to its session: ending the session closes it session_ended', async () => {
    const diag = echoKind('diag');
    const { rig, pair } = await setup([diag.plugin]);
    const id = rig.approved();
    const ch = await pair.desk.open({ kind: 'diag', session: id });
    const got = collect(ch);
    await ch.write(Buffer.from('ping'));
    await waitFor('echo', () => got.bytes().toString() === 'ping');
    rig.sessions.endByEngineer(id, 'finished');
    expect(await got.closed).toBe('session_ended');
    await waitFor('agent side closed', () => pair.agent.list().length === 0);
  });

  it('a session that ends while the plugin decides: the plugin is told to cancel and the channel closes session_ended', async () => {
    let rigRef: Awaited<ReturnType<typeof setup>>['rig'] | undefined;
    const diag = echoKind('diag', (req) => {
      rigRef!.sessions.endByEngineer(req.session.id, 'changed my mind');
      return 'echo';
    });
    const { rig, pair } = await setup([diag.plugin]);
    rigRef = rig;
    const id = rig.approved();
    const ch = await pair.desk.open({ kind: 'diag', session: id });
    expect(await collect(ch).closed).toBe('session_ended');
    expect(diag.seen.cancelled).toBe(1);
  });

  it("a kind whose start throws has its channel closed 'error'", async () => {
    const diag = echoKind('diag', () => ({
      start: () => {
        throw new Error('cannot start');
      },
    }));
    const { rig, pair } = await setup([diag.plugin]);
    const ch = await pair.desk.open({ kind: 'diag', session: rig.approved() });
    expect(await collect(ch).closed).toBe('error');
    expect(rig.logger.lines.some((l) => (l.fields as { err?: string }).err === 'cannot start')).toBe(true);
  });
});
