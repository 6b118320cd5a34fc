import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { cli } from './support/cli.js';
import { agentDeskConfig, initTestDesk, spawnDesk, startAgent, waitFor, type TestDesk } from './support/harness.js';

/**
 * Issue 12: under umask 022 the desk's database (token hashes, every site's faults), its log, desk.json and the
 * directories were world-readable. Owner-only now, whatever the umask, and a desk made before is tightened at start.
 */

const cleanup: (() => Promise<unknown>)[] = [];
const umask = process.umask();
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
  process.umask(umask);
});

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

const stop = (p: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
  });

/** Every private path of a desk with one issued agent, and the mode it must have. */
function privatePaths(d: TestDesk, agentId: string): Record<string, string> {
  const files = ['desk.json', 'desk.db', 'desk.db-wal', 'desk.db-shm', 'desk.log', 'ca.key', 'server.key', 'ca.pem', 'server.pem', 'cli-token', `agents/${agentId}/${agentId}.key`, `agents/${agentId}/${agentId}.pem`, `agents/${agentId}/desk-ca.pem`];
  const dirs = ['.', 'agents', `agents/${agentId}`];
  return Object.fromEntries([...files.map((f) => [join(d.dir, f), '600']), ...dirs.map((f) => [join(d.dir, f), '700'])]);
}

describe('desk file modes', () => {
  it('creates its files owner-only under any umask, and tightens an older desk\'s files when it starts', async () => {
    process.umask(0o000); // the worst case: nothing taken away by the umask
    const d = await initTestDesk();
    const id = 'P44010600123-POS-40';
    const deskConfig = await agentDeskConfig(d, id);
    let desk = await spawnDesk(d); // its own process, which inherits the umask
    cleanup.push(() => stop(desk));
    const a = await startAgent({ desk: deskConfig, id });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader']);
    await waitFor('delivered', () => a.agent.store.pendingTransitions().length === 0 && a.tunnel.status().ackedSeq === a.agent.store.lastSeq);
    expect((await cli(['desk-cli', 'token', 'create', 'engineer-li', '--dir', d.dir, '--save'])).code).toBe(0);

    const expected = privatePaths(d, id);
    for (const p of Object.keys(expected)) expect(existsSync(p), p).toBe(true);
    expect(Object.fromEntries(Object.keys(expected).map((p) => [p, mode(p)]))).toEqual(expected);

    // A desk made by an older version (umask 022): everything readable by others, and a rotated log too.
    await a.stop();
    await stop(desk);
    writeFileSync(join(d.dir, 'desk.log.1'), 'old log\n', { mode: 0o644 });
    for (const p of [...Object.keys(expected), join(d.dir, 'desk.log.1')]) if (existsSync(p)) chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
    desk = await spawnDesk(d);
    const after = { ...expected, [join(d.dir, 'desk.log.1')]: '600' };
    for (const [p, m] of Object.entries(after)) if (existsSync(p)) expect(mode(p), p).toBe(m);
    const line = readFileSync(join(d.dir, 'desk.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; files?: string[] })
      .find((l) => l.msg === 'made owner-only (they were readable by group or others)');
    expect(line?.files).toEqual(expect.arrayContaining([d.dir, join(d.dir, 'desk.json'), join(d.dir, 'desk.db'), join(d.dir, 'desk.log.1'), join(d.dir, 'cli-token')]));
  });
});
