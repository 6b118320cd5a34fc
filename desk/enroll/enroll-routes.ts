import type { ApiDocSection } from '../../agent/core/schema/render-routes.js';
import type { RouteSpec } from '../../agent/core/schema/route-spec.js';
import { Type } from '../../agent/core/schema/type.js';
import { ErrorSchema, strict } from '../api/common-schemas.js';

/** Longest certificate request accepted (an ECDSA P-256 CSR in PEM is about 500 bytes). */
export const MAX_CSR_LENGTH = 8192;

const Refusal = Type.Object({
  error: Type.String({ description: 'unknown-code, used-code, expired-code, other-site, bad-request, rate-limited' }),
  message: Type.Object({ zh: Type.String(), en: Type.String() }),
});

export const ENROLL_ROUTES = {
  enroll: {
    method: 'POST',
    url: '/enroll',
    summary: "a terminal's one-time code and certificate request in, its client certificate and the desk CA out; the code is used up",
    auth: 'none: the one-time code from `guardpost desk-cli enroll-code` is the credential (single use, expiring, scoped to a site); attempts per source address are limited',
    schema: {
      body: Type.Object(
        {
          code: Type.String({ minLength: 8, maxLength: 64, description: 'as issued, e.g. K7QM-3XRD-P9TB-HW4E (case and dashes do not matter)' }),
          csr: Type.String({ minLength: 64, maxLength: MAX_CSR_LENGTH, description: 'PKCS#10 request, PEM, ECDSA P-256, subject CN=<agent id>; the agent id must begin with the code\'s site' }),
        },
        strict,
      ),
      response: {
        201: Type.Object({
          agentId: Type.String(),
          certPem: Type.String({ description: "the agent's client certificate" }),
          caPem: Type.String({ description: 'the desk CA (desk.caFile)' }),
          notAfter: Type.String({ description: 'end of validity, ISO-8601' }),
        }),
        400: Refusal,
        403: Refusal,
        429: Refusal,
      },
    },
  },
} satisfies Record<string, RouteSpec>;

export const ENROLL_API_DOC: ApiDocSection = {
  title: 'Enrollment endpoint (desk)',
  anchor: 'enroll',
  schemasTitle: 'Schemas of the enrollment endpoint',
  intro: `
HTTPS with the desk's server certificate on \`enroll\` in desk.json (\`guardpost desk init\` writes port 8445); there is no
other route. \`guardpost enroll\` calls it after checking the desk's key against the pin it was given, sends a request
for a key it generated and keeps (mode 0600), and writes what it gets into its config. Enrolling the same terminal again
replaces its identity: its older certificates are revoked.`,
  routes: ENROLL_ROUTES as unknown as Record<string, RouteSpec>,
  schemas: { EnrollRefusal: Refusal, Error: ErrorSchema },
};
