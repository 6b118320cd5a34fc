import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '../../agent/core/schema/type.js';
import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import type { DeskStore } from '../store/types.js';
import { AgentId, ErrorSchema, Instant, Nullable, strict, deskRouteOptions, type DeskRouteSpec } from './common-schemas.js';

/** Enrollment codes and revocation on the engineer API: codes for a site, an agent's certificates, revoking an agent. */

const AUTH = 'Authorization: Bearer TOKEN, from `guardpost desk-cli token create NAME` (else 401); the name is recorded';
const errors = { 400: ErrorSchema, 401: ErrorSchema };
export const MAX_CODE_TTL_HOURS = 24 * 30;

const CertSchema = Type.Object({
  serial: Type.String(),
  agentId: Type.String(),
  via: Type.String({ description: 'enroll, issue (by hand) or renew' }),
  issuedAt: Instant,
  notAfter: Instant,
  revokedAt: Nullable(Instant),
  revokeReason: Nullable(Type.String({ description: 'revoked (desk-cli revoke) or enrolled again (replaced)' })),
});

export const ENROLL_API_ROUTES = {
  enrollCode: {
    method: 'POST',
    url: '/api/v1/enroll-codes',
    summary: "a single-use enrollment code for one site's terminals, valid for ttlHours; shown once (only its hash is kept)",
    auth: AUTH,
    schema: {
      body: Type.Object(
        {
          site: Type.String({ pattern: '^[A-Za-z0-9_.-]{2,64}$', description: "the institution code (fixmedins_code); the terminal's agent id must begin with it" }),
          ttlHours: Type.Optional(Type.Number({ minimum: 0.05, maximum: MAX_CODE_TTL_HOURS, default: 24 })),
        },
        strict,
      ),
      response: {
        201: Type.Object({
          code: Type.String(),
          site: Type.String(),
          expiresAt: Instant,
          createdBy: Type.String(),
          agentsUrl: Type.String({ description: 'what the terminal passes as --desk' }),
          enrollUrl: Nullable(Type.String({ description: 'the enrollment endpoint; null when desk.json has no enroll section (codes cannot be used then)' })),
          pin: Type.String({ description: "the desk CA's key pin, --desk-pin" }),
          command: Type.String({ description: 'the whole guardpost enroll line for the terminal' }),
        }),
        ...errors,
      },
    },
  },
  agentCerts: {
    method: 'GET',
    url: '/api/v1/agents/:agent/certs',
    summary: "the client certificates the desk issued to an agent, and which are revoked",
    auth: AUTH,
    schema: { params: Type.Object({ agent: AgentId() }, strict), response: { 200: Type.Object({ agent: Type.String(), certs: Type.Array(CertSchema) }), ...errors } },
  },
  revokeAgent: {
    method: 'POST',
    url: '/api/v1/agents/:agent/revoke',
    summary: 'revokes every certificate of the agent: its connection is closed with 4010 and refused from then on, until it enrolls again with a new code',
    auth: AUTH,
    schema: {
      params: Type.Object({ agent: AgentId() }, strict),
      response: { 200: Type.Object({ agent: Type.String(), revokedCerts: Type.Number(), disconnected: Type.Boolean() }), ...errors },
    },
  },
} satisfies Record<string, DeskRouteSpec>;

export const ENROLL_API_SCHEMAS = { AgentCert: CertSchema };

export interface EnrollApiDeps {
  store: DeskStore;
  now: () => Date;
  /** Closes the agent's live connection with this code and reason; false when it is not connected. */
  disconnect(agentId: string, code: number, reason: string): boolean;
  /** Where terminals connect and enroll, and the pin they check the desk with. */
  connectInfo(): { agentsUrl: string; enrollUrl: string | null; pin: string };
}

type Engineer = FastifyRequest & { engineer?: string };

export function registerEnrollRoutes(app: FastifyInstance, d: EnrollApiDeps): void {
  app.route({
    ...deskRouteOptions(ENROLL_API_ROUTES.enrollCode),
    handler: async (req: Engineer, reply) => {
      const body = req.body as { site: string; ttlHours: number };
      const now = d.now();
      const expiresAt = new Date(now.getTime() + body.ttlHours * 3600_000).toISOString();
      const code = d.store.enroll.createCode(body.site, req.engineer!, now.toISOString(), expiresAt);
      const where = d.connectInfo();
      const command = `guardpost enroll --desk ${where.agentsUrl} --code ${code} --desk-pin ${where.pin}${where.enrollUrl ? ` --enroll-url ${where.enrollUrl}` : ''}`;
      return reply.code(201).send({ code, site: body.site, expiresAt, createdBy: req.engineer!, ...where, command });
    },
  });
  app.route({
    ...deskRouteOptions(ENROLL_API_ROUTES.agentCerts),
    handler: async (req) => {
      const { agent } = req.params as { agent: string };
      return { agent, certs: d.store.enroll.certs(agent).map((c) => ({ ...c, agentId: agent })) };
    },
  });
  app.route({
    ...deskRouteOptions(ENROLL_API_ROUTES.revokeAgent),
    handler: async (req: Engineer) => {
      const { agent } = req.params as { agent: string };
      const revokedCerts = d.store.enroll.revokeAgent(agent, req.engineer!, d.now().toISOString());
      const disconnected = d.disconnect(agent, CLOSE.revoked, `revoked by ${req.engineer!}`);
      return { agent, revokedCerts, disconnected };
    },
  });
}
