import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../agent/cli/io.js';
import { main } from '../../agent/cli/main.js';
import type { DeskConfig } from '../../agent/core/config/schema.js';
import { IngestQueue } from '../../desk/server/ingest-queue.js';
import type { DeskStore, IngestOp } from '../../desk/store/types.js';
import { freePort, startAgent, startDesk, tmp, waitFor } from './support/harness.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => void (out += `${s}\n`), err: (s) => void (err += `${s}\n`), env };
  return { code: await main(args, io), out, err };
}

describe('guardpost desk init / issue', () => {
  it('creates a desk once, issues an agent certificate with an encrypted key, and that agent connects', async () => {
    const dir = join(tmp('gp-deskcmd-'), 'desk');
    const [port, apiPort] = [await freePort(), await freePort()];
    const init = await cli(['desk', 'init', '--dir', dir, '--name', 'localhost', '--agents-port', String(port), '--api-port', String(apiPort), '--listen', '127.0.0.1']);
    expect(init.code).toBe(0);
    expect(init.out).toMatch(/pin for agents \(desk\.pins\): sha256\/[A-Za-z0-9+/]{43}=/);
    expect(statSync(join(dir, 'ca.key')).mode & 0o077).toBe(0);
    const again = await cli(['desk', 'init', '--dir', dir]);
    expect(again.code).toBe(70);
    expect(again.err).toContain('never overwritten');

    const id = 'P44010600123-POS-14';
    const issued = await cli(['desk', 'issue', '--dir', dir, '--agent', id, '--passphrase-env', 'GP_KEY_PW'], { GP_KEY_PW: 'key-secret' });
    expect(issued.code).toBe(0);
    const desk = (JSON.parse(issued.out) as { desk: DeskConfig }).desk;
    expect(desk).toMatchObject({ enabled: true, url: `wss://localhost:${port}/agent`, keyPassphrase: { env: 'GP_KEY_PW' } });
    expect(readFileSync(desk.keyFile!, 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
    expect((await cli(['desk', 'issue', '--dir', dir, '--agent', 'bad id!'])).code).toBe(70);

    const file = join(dir, 'desk.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), log: { file: 'desk.log', stdout: false } }));
    const running = await startDesk({ dir, port, apiPort });
    cleanup.push(() => running.stop());
    const a = await startAgent({ desk, id, configEnv: { GP_KEY_PW: 'key-secret' } });
    cleanup.push(() => a.stop());
    await waitFor('connected with the encrypted key', () => a.tunnel.status().state === 'connected');
    const wrong = await startAgent({ desk, id, configEnv: { GP_KEY_PW: 'not-it' } });
    cleanup.push(() => wrong.stop());
    const keyErr = await waitFor('key error', () => wrong.tunnel.status().lastError);
    expect(keyErr).toMatch(/cannot use desk\.keyFile \/ desk\.keyPassphrase: .*bad decrypt/);
  });
});

describe('desk group commit', () => {
  it('a failing group is retried one by one: only the failing connection is affected, and its later operations are skipped', async () => {
    const applied: string[] = [];
    const store = {
      apply(ops: IngestOp[]) {
        if (ops.some((o) => o.kind === 'disconnected' && o.reason === 'poison')) throw new Error('disk I/O error');
        applied.push(...ops.map((o) => (o.kind === 'disconnected' ? o.agentId : o.kind)));
        return ops.map(() => ({}));
      },
    } as unknown as DeskStore;
    const q = new IngestQueue(store, pino({ enabled: false }));
    const bad = { storeFailed: false };
    const good = { storeFailed: false };
    const op = (agentId: string, reason = 'x'): IngestOp => ({ kind: 'disconnected', agentId, connId: 'c', at: '', reason });
    const results = await Promise.allSettled([q.push(op('a1'), good), q.push(op('b1', 'poison'), bad), q.push(op('b2'), bad), q.push(op('a2'), good)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(applied).toEqual(['a1', 'a2']);
    expect(bad.storeFailed).toBe(true);
    expect(good.storeFailed).toBe(false);
  });
});
