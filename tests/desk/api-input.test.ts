import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Desk } from '../../desk/desk.js';
import { agentDeskConfig, initTestDesk, startAgent, startDesk, waitFor } from './support/harness.js';

/**
 * Issue 12: `?limit=1.5` answered 500 with SQLite's own error, `limit=-1` one row, `limit=0` and `limit=abc` 500 rows
 * silently. Every parameter of the engineer API is validated against its schema now: 400 with what was wrong, and
 * nothing internal ever reaches the client. The real desk, its API over HTTPS, a real token.
 */

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

interface Answer {
  status: number;
  body: Record<string, any>;
}

function call(desk: Desk, token: string, method: string, path: string, payload?: string, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: desk.apiPort, method, path, ca: readFileSync(desk.config.tls.caCert), servername: 'localhost', headers: { authorization: `Bearer ${token}`, ...(payload !== undefined ? { 'content-type': contentType } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (b: Buffer) => (text += b.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, any> }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('engineer API input', () => {
  it('refuses every bad parameter with 400 naming it; answers good ones; never shows an internal error', async () => {
    const d = await initTestDesk();
    const desk: Desk = await startDesk(d);
    cleanup.push(() => desk.stop());
    const id = 'P44010600123-POS-50';
    const a = await startAgent({ desk: await agentDeskConfig(d, id), id });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader', 'printer', 'scanner'], 'critical');
    await waitFor('delivered', () => desk.store.listFaults({ agent: id }).length === 3);
    const token = desk.store.createToken('engineer-li', new Date().toISOString());
    const get = (path: string) => call(desk, token, 'GET', path);

    const refused: [string, string][] = [
      ['/api/v1/faults?limit=1.5', 'limit: "1.5" must be integer'],
      ['/api/v1/faults?limit=-1', 'limit: -1 must be >= 1'],
      ['/api/v1/faults?limit=0', 'limit: 0 must be >= 1'],
      ['/api/v1/faults?limit=abc', 'limit: "abc" must be integer'],
      ['/api/v1/faults?limit=10001', 'limit: 10001 must be <= 10000'],
      ['/api/v1/faults?severity=urgent', 'severity: "urgent" is not one of critical, major, minor'],
      ['/api/v1/faults?state=open,closed', 'state: "closed" is not one of open, acknowledged, resolved, active'],
      ['/api/v1/faults?since=yesterday', 'since: "yesterday" must look like 2026-07-01 or 2026-07-01T08:30:00+08:00'],
      ['/api/v1/faults?agent=%3Cscript%3E', 'agent: "<script>" must look like P44010600123-POS-01'],
      ['/api/v1/faults?colour=red', 'unknown query parameter "colour"'],
      ['/api/v1/agents?online=maybe', 'online: "maybe" is not one of true, false, 1, 0'],
      ['/api/v1/report?month=2026-13', 'month: "2026-13" must look like 2026-07'],
      ['/api/v1/faults/x', 'id: "x" must look like 3f2a9c1e'],
    ];
    for (const [path, error] of refused) expect(await get(path), path).toEqual({ status: 400, body: { error } });

    const two = await get('/api/v1/faults?limit=2&severity=critical&state=active');
    expect(two.status).toBe(200);
    expect(two.body.faults).toHaveLength(2);
    expect((await get('/api/v1/faults?since=2026-01-01')).body.faults).toHaveLength(3);
    expect((await get('/api/v1/agents?online=1')).body.agents.map((x: { id: string }) => x.id)).toEqual([id]);

    const fault = desk.store.listFaults({ agent: id })[0]!;
    const ack = (payload: string, type?: string) => call(desk, token, 'POST', `/api/v1/faults/${fault.id}/ack`, payload, type);
    expect(await ack(JSON.stringify({ note: 'x'.repeat(1025) }))).toEqual({ status: 400, body: { error: 'note: must NOT have more than 1024 characters' } });
    expect(await ack(JSON.stringify({ note: 5 }))).toEqual({ status: 400, body: { error: 'note: 5 must be string' } });
    expect(await ack(JSON.stringify({ note: 'ok', by: 'someone else' }))).toEqual({ status: 400, body: { error: 'unknown body field "by"' } });
    expect((await ack('{"note":')).status).toBe(400);
    expect(await ack('note', 'text/plain')).toEqual({ status: 400, body: { error: 'body must be object' } });
    expect((await ack(JSON.stringify({ note: '已派工程师' }))).status).toBe(202);

    // A failure inside the desk: 500, and the detail only in the desk's log.
    desk.store.close();
    const broken = await get('/api/v1/faults');
    expect(broken).toEqual({ status: 500, body: { error: 'internal error on the desk (see its log)' } });
    const log = readFileSync(join(d.dir, 'desk.log'), 'utf8');
    expect(log).toContain('engineer API: request failed');
    expect(log).toContain('The database connection is not open');
  });
});
