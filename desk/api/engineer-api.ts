import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SEVERITIES, type Severity } from '../../agent/core/severity.js';
import type { DeskConfig } from '../config.js';
import { monthRange, serviceReport } from '../service-report.js';
import type { AckRecord, DeskStore, FaultQuery, FaultState } from '../store/types.js';

export interface EngineerApiDeps {
  store: DeskStore;
  config: DeskConfig;
  now: () => Date;
  /** Hands an acknowledgement to the agent's live connection; false when the agent is offline (sent on reconnect). */
  deliverAck(ack: AckRecord): boolean;
}

class BadRequest extends Error {}
class NotFound extends Error {}

const STATES = ['open', 'acknowledged', 'resolved', 'active'] as const;

function list<T extends string>(raw: unknown, allowed: readonly T[], name: string): T[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const values = String(raw).split(',').map((s) => s.trim()).filter(Boolean);
  for (const v of values) if (!allowed.includes(v as T)) throw new BadRequest(`${name}: "${v}" is not one of ${allowed.join(', ')}`);
  return values as T[];
}

function time(raw: unknown, name: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const ms = Date.parse(String(raw));
  if (Number.isNaN(ms)) throw new BadRequest(`${name}: "${String(raw)}" is not a date/time (ISO-8601)`);
  return new Date(ms).toISOString();
}

/**
 * The engineer HTTP API (HTTPS with the desk's server certificate, bearer tokens from `guardpost desk-cli token
 * create NAME`): agents, faults filtered by severity/state/site/time, acknowledge (travels to the agent), timeline,
 * and the monthly service report. The token's name is recorded as who acknowledged.
 */
export async function startEngineerApi(d: EngineerApiDeps, host: string, port: number): Promise<{ app: FastifyInstance; port: number }> {
  const tls = d.config.tls;
  const app = Fastify({ https: { key: readFileSync(tls.key), cert: readFileSync(tls.cert) }, logger: false, bodyLimit: 16 * 1024 });
  app.decorateRequest('engineer', '');
  app.addHook('onRequest', async (req: FastifyRequest & { engineer?: string }, reply) => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const name = m ? d.store.verifyToken(m[1]!, d.now().toISOString()) : null;
    if (!name) return reply.code(401).send({ error: 'a valid token is required (Authorization: Bearer …); create one with guardpost desk-cli token create NAME' });
    req.engineer = name;
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof BadRequest) return reply.code(400).send({ error: err.message });
    if (err instanceof NotFound) return reply.code(404).send({ error: err.message });
    return reply.code(err.statusCode && err.statusCode < 500 ? err.statusCode : 500).send({ error: err.message });
  });

  app.get('/api/v1/agents', async (req) => {
    const q = req.query as Record<string, string>;
    const online = q.online === undefined ? undefined : q.online === 'true' || q.online === '1';
    return { agents: d.store.listAgents({ ...(q.site ? { site: q.site } : {}), ...(online !== undefined ? { online } : {}) }) };
  });

  app.get('/api/v1/faults', async (req) => {
    const q = req.query as Record<string, string>;
    const query: FaultQuery = {};
    const severity = list<Severity>(q.severity, SEVERITIES, 'severity');
    const state = list<FaultState | 'active'>(q.state, STATES, 'state');
    if (severity) query.severity = severity;
    if (state) query.state = state;
    if (q.site) query.site = q.site;
    if (q.agent) query.agent = q.agent;
    const since = time(q.since, 'since');
    const until = time(q.until, 'until');
    if (since) query.since = since;
    if (until) query.until = until;
    if (q.limit) query.limit = Math.max(1, Number(q.limit) || 500);
    return { faults: d.store.listFaults(query) };
  });

  /** The occurrence id from the path: a full id or a unique prefix. */
  const faultId = (req: FastifyRequest): string => {
    const ref = (req.params as { id: string }).id;
    const id = d.store.resolveFaultId(ref);
    if (id === 'ambiguous') throw new BadRequest(`fault id prefix "${ref}" matches more than one fault; give more characters`);
    if (!id) throw new NotFound(`no fault ${ref}`);
    return id;
  };

  app.get('/api/v1/faults/:id', async (req) => ({ fault: d.store.getFault(faultId(req)) }));

  app.get('/api/v1/faults/:id/timeline', async (req) => d.store.timeline(faultId(req)));

  app.post('/api/v1/faults/:id/ack', async (req: FastifyRequest & { engineer?: string }, reply) => {
    const body = (req.body ?? {}) as { note?: unknown };
    if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 1024)) throw new BadRequest('note: a string of at most 1024 characters');
    const r = d.store.acknowledge(faultId(req), req.engineer!, (body.note as string | undefined) ?? null, d.now().toISOString());
    if ('error' in r) return reply.code(r.error === 'not-found' ? 404 : 409).send({ error: r.error === 'not-found' ? 'no such fault' : 'the fault is already resolved' });
    const sent = d.deliverAck(r);
    return reply.code(202).send({ acknowledgement: r, delivery: sent ? 'sent' : 'queued until the agent reconnects' });
  });

  app.get('/api/v1/report', async (req) => {
    const q = req.query as Record<string, string>;
    const now = d.now();
    const month = q.month ?? new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
    let range: { from: string; to: string };
    try {
      range = monthRange(month);
    } catch (err) {
      throw new BadRequest((err as Error).message);
    }
    return { month, ...serviceReport(d.store.occurrences(range.from, range.to), range, d.config.targets, now) };
  });

  await app.listen({ host, port });
  return { app, port: (app.server.address() as AddressInfo).port };
}
