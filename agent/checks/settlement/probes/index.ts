import type { ResolvedEndpoint } from '../endpoint.js';
import { probeDns } from './dns.js';
import { probeHttp } from './http.js';
import type { EndpointOutcome, ProbeEnv } from './outcome.js';
import { probeTcp } from './tcp.js';
import { probeTls } from './tls.js';

export type { EndpointOutcome, ProbeEnv } from './outcome.js';

/** One probe of one endpoint, by its kind. */
export function probeEndpoint(ep: ResolvedEndpoint, env: ProbeEnv): Promise<EndpointOutcome> {
  switch (ep.kind) {
    case 'dns':
      return probeDns(ep, env);
    case 'tcp':
      return probeTcp(ep, env);
    case 'tls':
      return probeTls(ep, env);
    case 'http':
      return probeHttp(ep, env);
  }
}
