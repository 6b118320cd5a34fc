import { Ajv } from 'ajv';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { routeOptions } from '../../agent/core/schema/route-spec.js';
import { spkiPin } from '../../agent/net/index.js';
import type { Severity } from '../../agent/core/severity.js';
import type { AssistHub } from '../assist/assist-hub.js';
import { EngineerSockets } from '../assist/engineer-socket.js';
import type { DeskConfig } from '../config.js';
import { monthRange, previousMonth, serviceReport } from '../service-report.js';
import { fleetSummary } from '../fleet-report.js';
import type { AckRecord, DeskStore, FaultQuery, FaultRef, FaultState } from '../store/types.js';
import type { NotifyService } from '../notify/notify-service.js';
import { registerAssistRoutes } from './assist-api.js';
import { registerEnrollRoutes } from './enroll-api.js';
import { registerTicketRoutes } from './ticket-routes.js';
import { FAULT_RUNBOOKS } from '../fault-runbooks.js';
import { registerNotifyRoutes } from './notify-routes.js';
import { ENGINEER_ROUTES as R, LIST_PARAMS } from './engineer-routes.js';
import { describeSchemaError, splitLists } from './request-errors.js';

export interface EngineerApiDeps {
  store: DeskStore;
  config: DeskConfig;
  now: () => Date;
  /** Where failures the client is not told about are written. */
  logger?: Logger;
  /** Hands an acknowledgement to the agent's live connection; false when the agent is offline (sent on reconnect). */
  deliverAck(ack: AckRecord): boolean;
  /** Remote assistance (requests, their channels' WebSockets); without it those routes fail. */
  assist?: AssistHub;
  /** Notifications: channel health and test messages. */
  notify?: NotifyService;
  /** The ports actually listened on (desk.json may say 0), for the enrollment line desk-cli prints. */
  agentsPort?: number;
  enrollPort?: number;
  /** Closes an agent's live connection (a revoked agent); false when it is not connected. */
  disconnect?(agentId: string, code: number, reason: string): boolean;
}

const silent = { info: () => undefined, warn: () => undefined };

class BadRequest extends Error {}
class NotFound extends Error {}

/** A date or date-time the schema let through, as an instant; a calendar-impossible one is the client's error. */
function instant(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new BadRequest(`${name}: "${raw}" is not a date/time (ISO-8601)`);
  return new Date(ms).toISOString();
}

interface FaultsQuery {
  severity?: Severity[];
  state?: (FaultState | 'active')[];
  site?: string;
  agent?: string;
  since?: string;
  until?: string;
  limit: number;
}

/**
 * The engineer HTTP API (HTTPS with the desk's server certificate, bearer tokens from `guardpost desk-cli token
 * create NAME`): agents, faults filtered by severity/state/site/time, acknowledge (travels to the agent), timeline,
 * and the monthly service report. The token's name is recorded as who acknowledged. Input is validated by fastify
 * against the route schemas (engineer-routes.ts); answers are plain JSON.
 */
export async function startEngineerApi(d: EngineerApiDeps, host: string, port: number): Promise<{ app: FastifyInstance; port: number }> {
  const tls = d.config.tls;
  const app = Fastify({
    https: { key: readFileSync(tls.key), cert: readFileSync(tls.cert) },
    logger: false,
    bodyLimit: 16 * 1024,
    schemaErrorFormatter: (errors, dataVar) => new BadRequest(describeSchemaError(errors as never, dataVar)),
  });
  // Query and path parameters arrive as text and are converted (limit=2 is a number); a JSON body has its types
  // already and is taken as sent (a number is not a note). Unknown parameters are refused, not dropped; `verbose`
  // gives the error formatter the value.
  const options = { removeAdditional: false, useDefaults: true, allErrors: false, verbose: true, strict: false } as const;
  const fromText = new Ajv({ ...options, coerceTypes: 'array' });
  const asSent = new Ajv({ ...options, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? asSent : fromText).compile(schema));
  // Answers are sent as they are: the response schemas document them, they do not filter them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('engineer', '');
  app.addHook('onRequest', async (req: FastifyRequest & { engineer?: string }, reply) => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const name = m ? d.store.verifyToken(m[1]!, d.now().toISOString()) : null;
    if (!name) return reply.code(401).send({ error: 'a valid token is required (Authorization: Bearer …); create one with guardpost desk-cli token create NAME' });
    req.engineer = name;
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof BadRequest) return reply.code(400).send({ error: err.message });
    if (err instanceof NotFound) return reply.code(404).send({ error: err.message });
    // fastify's own client errors (a body that is not JSON, a wrong content type) say what the client did.
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send({ error: err.message });
    // Anything else is ours: the log gets the detail, the client only that it failed.
    d.logger?.error({ err: err.message, method: req.method, url: req.url.split('?')[0] }, 'engineer API: request failed');
    return reply.code(500).send({ error: 'internal error on the desk (see its log)' });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no such route: ${req.method} ${req.url.split('?')[0]}` }));

  app.route({
    ...routeOptions(R.agents),
    handler: async (req) => {
      const q = req.query as { site?: string; online?: 'true' | 'false' | '1' | '0' };
      const online = q.online === undefined ? undefined : q.online === 'true' || q.online === '1';
      return { agents: d.store.listAgents({ ...(q.site ? { site: q.site } : {}), ...(online !== undefined ? { online } : {}) }) };
    },
  });

  app.route({
    ...routeOptions(R.faults),
    preValidation: splitLists(LIST_PARAMS),
    handler: async (req) => {
      const q = req.query as FaultsQuery;
      const query: FaultQuery = { limit: q.limit };
      if (q.severity) query.severity = [...new Set(q.severity)];
      if (q.state) query.state = [...new Set(q.state)];
      if (q.site) query.site = q.site;
      if (q.agent) query.agent = q.agent;
      const since = instant(q.since, 'since');
      const until = instant(q.until, 'until');
      if (since) query.since = since;
      if (until) query.until = until;
      return { faults: d.store.listFaults(query) };
    },
  });

  /** The occurrence the path names: a full id, a unique prefix, or AGENT:ID. */
  const fault = (req: FastifyRequest): FaultRef => {
    const text = (req.params as { id: string }).id;
    const r = d.store.findFault(text);
    if ('found' in r) return r.found;
    if ('notFound' in r) throw new NotFound(`no fault ${text}`);
    const ids = new Set(r.ambiguous.map((x) => x.id));
    if (ids.size === 1) {
      const agents = r.ambiguous.map((x) => x.agentId);
      throw new BadRequest(`fault id ${text} is used by ${agents.length} agents (${agents.join(', ')}); name one as AGENT:ID, e.g. ${agents[0]}:${text}`);
    }
    throw new BadRequest(`fault id prefix "${text}" matches more than one fault; give more characters`);
  };

  app.route({ ...routeOptions(R.fault), handler: async (req) => ({ fault: d.store.getFault(fault(req)) }) });

  app.route({ ...routeOptions(R.timeline), handler: async (req) => d.store.timeline(fault(req)) });

  app.route({
    ...routeOptions(R.acknowledge),
    // No body at all is an acknowledgement without a note.
    preValidation: async (req) => void (req.body ??= {}),
    handler: async (req: FastifyRequest & { engineer?: string }, reply) => {
      const body = req.body as { note?: string };
      const r = d.store.acknowledge(fault(req), req.engineer!, body.note ?? null, d.now().toISOString());
      if ('error' in r) return reply.code(r.error === 'not-found' ? 404 : 409).send({ error: r.error === 'not-found' ? 'no such fault' : 'the fault is already resolved' });
      const sent = d.deliverAck(r);
      return reply.code(202).send({ acknowledgement: r, delivery: sent ? 'sent' : 'queued until the agent reconnects' });
    },
  });

  app.route({
    ...routeOptions(R.report),
    handler: async (req) => {
      const q = req.query as { month?: string; site?: string };
      const now = d.now();
      const month = q.month ?? new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
      const range = monthRange(month);
      const before = monthRange(previousMonth(month));
      const mine = <T extends { siteCode: string }>(rows: T[]) => (q.site ? rows.filter((r) => r.siteCode === q.site) : rows);
      const report = serviceReport(mine(d.store.occurrences(range.from, range.to)), range, d.config.targets, now);
      const previous = serviceReport(mine(d.store.occurrences(before.from, before.to)), before, d.config.targets, now);
      const fleet = fleetSummary(report.faults, previous.faults, mine(d.store.listAgents()), { month, from: range.from }, now);
      return { month, ...report, tickets: d.store.tickets.figures(range.from, range.to), fleet };
    },
  });

  registerAssistRoutes(app, d.store, d.assist);
  registerNotifyRoutes(app, d.notify);
  registerTicketRoutes(app, {
    tickets: d.store.tickets,
    runbook: (code) => FAULT_RUNBOOKS[code],
    now: d.now,
    agentSite: (agentId) => d.store.listAgents().find((a) => a.id === agentId)?.siteCode,
  });
  const caPin = spkiPin(readFileSync(d.config.tls.caCert, 'utf8'));
  registerEnrollRoutes(app, {
    store: d.store,
    now: d.now,
    disconnect: d.disconnect ?? (() => false),
    connectInfo: () => ({
      agentsUrl: `wss://${d.config.name}:${d.agentsPort ?? d.config.agents.port}/agent`,
      enrollUrl: d.enrollPort !== undefined ? `https://${d.config.name}:${d.enrollPort}/enroll` : null,
      pin: caPin,
    }),
  });
  // The engineers' channel sockets: the same server, its upgrade event (fastify serves no upgrades itself).
  if (d.assist) {
    const hub = d.assist;
    new EngineerSockets({ hub, verifyToken: (token) => d.store.verifyToken(token, d.now().toISOString()), logger: d.logger ?? silent }).attach(app.server);
  }

  await app.listen({ host, port });
  return { app, port: (app.server.address() as AddressInfo).port };
}
