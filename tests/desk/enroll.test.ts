import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Desk } from '../../desk/desk.js';
import { cli } from './support/cli.js';
import { freePort, initTestDesk, SITE, startAgent, tmp, waitFor, type TestAgent, type TestDesk } from './support/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const HOUR = 3600_000;

interface Harness {
  d: TestDesk;
  desk: Desk;
  advance(ms: number): void;
  code(site?: string, ttl?: string): Promise<{ code: string; pin: string; agentsUrl: string; enrollUrl: string; command: string }>;
}

async function start(): Promise<Harness> {
  const d = await initTestDesk();
  let offset = 0;
  const desk = await Desk.start({
    dir: d.dir,
    now: () => new Date(Date.now() + offset),
    override: (c) => ({ ...c, enroll: { host: '127.0.0.1', port: 0, certDays: 365, attemptsPerMinute: 10 } }),
  });
  cleanup.push(() => desk.stop());
  await cli(['desk-cli', 'token', 'create', 'wang.fang', '--save', '--dir', d.dir]);
  return {
    d,
    desk,
    advance: (ms) => void (offset += ms),
    code: async (site = SITE.fixmedins_code, ttl = '24h') => {
      const r = await cli(['desk-cli', 'enroll-code', '--site', site, '--ttl', ttl, '--dir', d.dir, '--json']);
      expect(r.err).toBe('');
      return JSON.parse(r.out);
    },
  };
}

/** A terminal's config as the installer leaves it: site and agent id, no desk section yet. */
function terminalConfig(id: string): { file: string; dir: string } {
  const dir = tmp('gp-enroll-terminal-');
  const file = join(dir, 'config.json');
  writeFileSync(file, `${JSON.stringify({ site: SITE, agent: { id }, checks: {}, storage: { dir: join(dir, 'state') }, logging: { file: join(dir, 'agent.log') } }, null, 2)}\n`, { mode: 0o640 });
  return { file, dir };
}

async function enroll(file: string, c: { code: string; pin: string; agentsUrl: string; enrollUrl: string }, over: { pin?: string; enrollUrl?: string } = {}) {
  // The desk's certificate names localhost; the enrollment line uses its configured name.
  return cli(['enroll', '--desk', c.agentsUrl.replace('guardpost-desk', 'localhost'), '--code', c.code, '--desk-pin', over.pin ?? c.pin, '--enroll-url', over.enrollUrl ?? c.enrollUrl.replace(/\/\/[^:/]+:/, '//localhost:'), '--config', file]);
}

async function agentFrom(file: string, id: string, desk: Record<string, unknown> = {}): Promise<TestAgent> {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const a = await startAgent({ desk: { ...doc.desk, ...desk }, id });
  cleanup.push(() => a.stop());
  return a;
}

describe('enrollment by one-time code', () => {
  it('a terminal enrolls with a code: its own key (0600), the certificate and the desk section written; it connects', async () => {
    const h = await start();
    const c = await h.code();
    expect(c.code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    expect(c.command).toContain(`guardpost enroll --desk wss://`);
    expect(c.command).toContain(`--code ${c.code} --desk-pin ${c.pin}`);
    const id = `${SITE.fixmedins_code}-POS-21`;
    const t = terminalConfig(id);
    const r = await enroll(t.file, c);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`已注册 / enrolled: ${id}`);
    const doc = JSON.parse(readFileSync(t.file, 'utf8'));
    expect(doc.desk).toMatchObject({ enabled: true, pins: [c.pin], keyFile: join(t.dir, 'state', 'identity', 'agent.key') });
    expect(statSync(doc.desk.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(t.file).mode & 0o777).toBe(0o640); // the config keeps its mode
    const a = await agentFrom(t.file, id);
    await waitFor('enrolled agent connected', () => a.tunnel.status().state === 'connected');
    expect(h.desk.store.listAgents().map((x) => x.id)).toEqual([id]);
    expect(h.desk.store.enroll.certs(id).map((x) => [x.via, x.revokedAt])).toEqual([['enroll', null]]);

    // Used, unknown, expired, another site's: refused, and nothing on disk changes.
    const before = readFileSync(t.file, 'utf8');
    const used = await enroll(t.file, c);
    expect(used.code).toBe(1);
    expect(used.err).toContain('注册码已被使用过');
    expect(used.err).toContain('was used already');
    expect((await enroll(t.file, { ...c, code: 'AAAA-BBBB-CCCC-DDDD' })).err).toContain('no such enrollment code');
    const short = await h.code(SITE.fixmedins_code, '30m');
    h.advance(HOUR);
    expect((await enroll(t.file, short)).err).toContain('has expired');
    const other = await h.code('H31010100001');
    expect((await enroll(t.file, other)).err).toContain("does not belong to the code's site");
    expect(readFileSync(t.file, 'utf8')).toBe(before);
  });

  it('a config without agent.id (as guardpost init writes it) enrolls as <fixmedins_code>-<terminalId>, the id the service runs under', async () => {
    const h = await start();
    const c = await h.code();
    const dir = tmp('gp-enroll-init-');
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ site: { ...SITE, terminalId: 'POS-31' }, checks: {}, storage: { dir: join(dir, 'state') } }), { mode: 0o640 });
    const r = await enroll(file, c);
    expect(r.err).toBe('');
    expect(r.out).toContain(`已注册 / enrolled: ${SITE.fixmedins_code}-POS-31`);
    expect(h.desk.store.enroll.certs(`${SITE.fixmedins_code}-POS-31`)).toHaveLength(1);
  });

  it('a wrong desk pin or an unreachable desk: a clear error and nothing written', async () => {
    const h = await start();
    const c = await h.code();
    const t = terminalConfig(`${SITE.fixmedins_code}-POS-22`);
    const before = readFileSync(t.file, 'utf8');
    const wrongPin = await enroll(t.file, c, { pin: `sha256/${'A'.repeat(43)}=` });
    expect(wrongPin.code).toBe(1);
    expect(wrongPin.err).toMatch(/服务台身份与给定的固定密钥不符[\s\S]*not the one pinned/);
    const unreachable = await enroll(t.file, c, { enrollUrl: `https://localhost:${await freePort()}/enroll` });
    expect(unreachable.code).toBe(69);
    expect(unreachable.err).toContain('cannot reach the desk');
    expect(readFileSync(t.file, 'utf8')).toBe(before);
    expect(existsSync(join(t.dir, 'state', 'identity'))).toBe(false);
    // The code was not used up by either attempt.
    expect((await enroll(t.file, c)).code).toBe(0);
  });

  it('enrolling the terminal again replaces its identity; desk-cli revoke closes it with 4010 and the agent raises AGENT_REVOKED', async () => {
    const h = await start();
    const id = `${SITE.fixmedins_code}-POS-23`;
    const first = terminalConfig(id);
    expect((await enroll(first.file, await h.code())).code).toBe(0);
    const old = await agentFrom(first.file, id);
    await waitFor('first identity connected', () => old.tunnel.status().state === 'connected');

    const second = terminalConfig(id); // the same terminal id on a reinstalled machine
    expect((await enroll(second.file, await h.code())).code).toBe(0);
    expect(h.desk.store.enroll.certs(id).map((x) => [x.via, x.revokeReason])).toEqual([
      ['enroll', 'enrolled again'],
      ['enroll', null],
    ]);
    await old.stop();
    const stale = await agentFrom(first.file, id);
    await waitFor('old identity refused', () => stale.agent.engine.active().some((f) => f.code === 'AGENT_REVOKED'));
    expect(await waitFor('close reason', () => stale.tunnel.status().lastError)).toMatch(/4010|revoked/);
    await stale.stop();

    const current = await agentFrom(second.file, id);
    await waitFor('new identity connected', () => current.tunnel.status().state === 'connected');
    expect(h.desk.store.listAgents().map((x) => x.id)).toEqual([id]); // one agent, not two

    const revoked = await cli(['desk-cli', 'revoke', id, '--dir', h.d.dir, '--lang', 'en']);
    expect(revoked).toMatchObject({ code: 0, err: '' });
    expect(revoked.out).toContain(`revoked ${id}: 1 certificate(s), connection closed`);
    await waitFor('AGENT_REVOKED raised', () => current.agent.engine.active().some((f) => f.code === 'AGENT_REVOKED'));
    expect(current.tunnel.status().state).not.toBe('connected');
  });

  it('renews the client certificate through the tunnel inside renewBeforeDays; the next connection uses the new one', async () => {
    const h = await start();
    const id = `${SITE.fixmedins_code}-POS-25`;
    const t = terminalConfig(id);
    expect((await enroll(t.file, await h.code())).code).toBe(0);
    const doc = JSON.parse(readFileSync(t.file, 'utf8'));
    const before = readFileSync(doc.desk.certFile, 'utf8');
    const keyBefore = readFileSync(doc.desk.keyFile, 'utf8');
    // A 365-day certificate is inside a 400-day renewal window at once.
    const a = await agentFrom(t.file, id, { renewBeforeDays: 400 });
    await waitFor('renewed on disk', () => readFileSync(doc.desk.certFile, 'utf8') !== before);
    expect(readFileSync(doc.desk.keyFile, 'utf8')).not.toBe(keyBefore); // a new key pair, made on the terminal
    expect(statSync(doc.desk.keyFile).mode & 0o777).toBe(0o600);
    expect(h.desk.store.enroll.certs(id).map((c) => [c.via, c.revokedAt])).toEqual([
      ['enroll', null],
      ['renew', null],
    ]);
    expect(a.agent.engine.active().some((f) => f.code === 'AGENT_CERT_EXPIRING')).toBe(false);
    await a.stop();
    const again = await agentFrom(t.file, id);
    await waitFor('connected with the renewed certificate', () => again.tunnel.status().state === 'connected');
  });

  it('attempts per address are limited, so codes cannot be found by trying', async () => {
    const h = await start();
    const c = await h.code();
    const t = terminalConfig(`${SITE.fixmedins_code}-POS-24`);
    const answers: string[] = [];
    for (let i = 0; i < 11; i += 1) answers.push((await enroll(t.file, { ...c, code: `ZZZZ-ZZZZ-ZZZZ-ZZ${String(i).padStart(2, '2')}` })).err);
    expect(answers.slice(0, 10).every((e) => e.includes('no such enrollment code'))).toBe(true);
    expect(answers[10]).toContain('too many attempts from this address');
  });
});
