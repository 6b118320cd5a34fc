import type { ResolvedEndpoint } from '../endpoint.js';
import { resolveAddresses } from '../net/resolve.js';
import { runProbe, type EndpointOutcome, type ProbeEnv } from './outcome.js';

/** kind "dns": the name resolves (system resolver, hosts file first), with the addresses found. */
export function probeDns(ep: ResolvedEndpoint, env: ProbeEnv): Promise<EndpointOutcome> {
  return runProbe(ep, env, async (deadline, timer) => {
    const addresses = await resolveAddresses(ep.host, ep.ipFamily, deadline, timer);
    return { evidence: { addresses: addresses.slice(0, 4).map((a) => a.address).join(' '), addressCount: addresses.length } };
  });
}
