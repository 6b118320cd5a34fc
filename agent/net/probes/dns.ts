import { resolveAddresses } from '../resolve.js';
import { runProbe, type ProbeEnv, type ProbeOutcome, type ProbeTarget } from './outcome.js';

/** kind "dns": the name resolves (system resolver, hosts file first), with the addresses found. */
export function probeDns(target: ProbeTarget, env: ProbeEnv): Promise<ProbeOutcome> {
  return runProbe(target, env, async (deadline, timer) => {
    const addresses = await resolveAddresses(target.host, target.ipFamily, deadline, timer);
    return { evidence: { addresses: addresses.slice(0, 4).map((a) => a.address).join(' '), addressCount: addresses.length } };
  });
}
