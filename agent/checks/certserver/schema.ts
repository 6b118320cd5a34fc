import { Type, type Static } from '../../core/schema/type.js';
import { ENDPOINT_PROPERTIES, ProxySchema } from '../shared/endpoint/schema.js';

const strict = { additionalProperties: false } as const;

// The settlement endpoint settings, less the platform-only ones: the server's own certificates are a cert check's
// job (see the example config), and its clock is compared with the server itself, which says nothing.
const { checkCertificates: _c, clockReference: _r, ...SERVICE_PROPERTIES } = ENDPOINT_PROPERTIES;

export const ServiceEndpointSchema = Type.Object(SERVICE_PROPERTIES, { ...strict, description: 'an endpoint of the authentication server' });

export const certserverSchema = Type.Object(
  {
    service: Type.Object(SERVICE_PROPERTIES, {
      ...strict,
      description: 'the service port (kind tcp/tls) or health URL (kind http) of the authentication service; AUTH_SERVICE_DOWN when it does not answer',
    }),
    functions: Type.Optional(
      Type.Array(ServiceEndpointSchema, {
        default: [],
        maxItems: 20,
        description: 'functional endpoints (certificate validation, signature verification, ...), each with its expected answer; AUTH_SERVICE_DEGRADED when one fails',
      }),
    ),
    proxy: Type.Optional(ProxySchema),
  },
  strict,
);

export type CertserverConfig = Static<typeof certserverSchema>;
