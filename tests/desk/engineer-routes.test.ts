import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startEngineerApi } from '../../desk/api/engineer-api.js';
import { ENGINEER_ROUTES } from '../../desk/api/engineer-routes.js';
import { loadDeskConfig } from '../../desk/config.js';
import type { DeskStore, FaultQuery, FaultRow } from '../../desk/store/types.js';
import { initTestDesk } from './support/harness.js';

/**
 * The engineer API registers its documented route objects (docs/api.md) and validates input against their schemas:
 * messages name the parameter, repeated and comma-separated list values are one list, answers are not cut to the
 * schema. (tests/desk/api-input.test.ts drives the real desk's API over HTTPS.)
 */

const started: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of started.splice(0)) await app.close();
});

const row = { id: 'f-0001', code: 'READER_GONE', severity: 'critical', extraFieldNotInTheSchema: 'kept' } as unknown as FaultRow;

async function api() {
  const d = await initTestDesk();
  const queries: FaultQuery[] = [];
  const store = {
    verifyToken: (token: string) => (token === 'good' ? 'eng' : null),
    listFaults: (q: FaultQuery) => (queries.push(q), [row]),
    findFault: (text: string) => (text === 'f-0001' ? { found: { agentId: 'a', id: 'f-0001' } } : { notFound: true }),
  } as unknown as DeskStore;
  const { app } = await startEngineerApi({ store, config: loadDeskConfig(d.dir), now: () => new Date(), deliverAck: () => false }, '127.0.0.1', 0);
  started.push(app);
  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, token = 'good') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { app, call, queries };
}

describe('engineer API routes', () => {
  it('serves every documented route', async () => {
    const { app } = await api();
    for (const spec of Object.values(ENGINEER_ROUTES)) expect(app.hasRoute({ method: spec.method, url: spec.url }), `${spec.method} ${spec.url}`).toBe(true);
  });

  it('answers bad input with what was wrong; joins list values; keeps fields beyond the schema; refuses no token', async () => {
    const { call, queries } = await api();
    const bad = await call('GET', '/api/v1/faults?severity=urgent');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'severity: "urgent" is not one of critical, major, minor' });

    const joined = await call('GET', '/api/v1/faults?severity=critical&severity=major,critical&limit=3');
    expect(joined.statusCode).toBe(200);
    expect(queries.at(-1)).toEqual({ severity: ['critical', 'major'], limit: 3 });
    expect(joined.json().faults[0].extraFieldNotInTheSchema).toBe('kept');

    // a number is not coerced into a note
    const note = await call('POST', '/api/v1/faults/f-0001/ack', { note: 5 });
    expect(note.statusCode).toBe(400);
    expect(note.json()).toEqual({ error: 'note: 5 must be string' });

    const anonymous = await call('GET', '/api/v1/agents', undefined, 'wrong');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error).toMatch(/^a valid token is required/);
  });
});
