import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { Deadline, PhaseTimer } from './deadline.js';
import { codeOf, ProbeFailure } from './failure.js';

export type IpFamily = 'auto' | 'ipv4' | 'ipv6' | 'prefer-ipv4' | 'prefer-ipv6';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'NXDOMAIN']);

/**
 * Resolves `host` the way the software on the terminal would: the system resolver (getaddrinfo: hosts file, then DNS),
 * which is where 医保专网 names usually live. An IP literal needs no lookup and records no dns phase.
 * Addresses come back in the order to try, filtered or reordered by `family`.
 */
export async function resolveAddresses(host: string, family: IpFamily, deadline: Deadline, timer?: PhaseTimer): Promise<ResolvedAddress[]> {
  const literal = isIP(host);
  if (literal) {
    if ((family === 'ipv4' && literal === 6) || (family === 'ipv6' && literal === 4)) {
      throw new ProbeFailure('dns_not_found', { error: 'ADDRESS_FAMILY', ipFamily: family });
    }
    return [{ address: host, family: literal as 4 | 6 }];
  }
  const only = family === 'ipv4' ? 4 : family === 'ipv6' ? 6 : 0;
  let found: { address: string; family: number }[];
  try {
    // getaddrinfo cannot be cancelled; the race only stops waiting for it.
    found = await deadline.race(dns.lookup(host, { all: true, family: only, verbatim: true }), 'dns_timeout');
  } catch (err) {
    timer?.mark('dns');
    if (err instanceof ProbeFailure || deadline.signal.aborted) throw err;
    const code = codeOf(err);
    throw new ProbeFailure(NOT_FOUND.has(code) ? 'dns_not_found' : 'dns_failed', { error: code });
  }
  timer?.mark('dns');
  const addresses = found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }) as ResolvedAddress);
  if (addresses.length === 0) throw new ProbeFailure('dns_not_found', { error: 'NO_ADDRESS' });
  if (family === 'prefer-ipv4' || family === 'prefer-ipv6') {
    const first = family === 'prefer-ipv4' ? 4 : 6;
    addresses.sort((a, b) => Number(b.family === first) - Number(a.family === first)); // stable: keeps resolver order within a family
  }
  return addresses;
}
