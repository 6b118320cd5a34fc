import { BlockList, isIP } from 'node:net';
import { stripBrackets } from './url.js';

/** What one entry matches: every host, a set of IP addresses (one address or a CIDR range), or a domain. */
type Rule = ({ kind: 'all' } | { kind: 'addresses'; block: BlockList } | { kind: 'domain'; name: string }) & { port?: number };

const family = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/** One NO_PROXY entry as a rule, or null for one that cannot match anything (ignored, as curl does). */
function parseEntry(raw: string): Rule | null {
  let entry = raw.trim().toLowerCase();
  if (!entry) return null;
  if (entry === '*') return { kind: 'all' };
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    entry = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (!isIP(entry) && !entry.includes('/')) {
    // A bare IPv6 address cannot carry a port (it would be ambiguous): write [addr]:port.
    const withPort = /^([^:]*):(\d+)$/.exec(entry);
    if (withPort) {
      entry = withPort[1]!;
      port = Number(withPort[2]);
    }
  }
  const at = port === undefined ? {} : { port };
  try {
    if (entry.includes('/')) {
      const [net, bits] = entry.split('/');
      if (!isIP(net!) || !/^\d+$/.test(bits ?? '')) return null;
      const block = new BlockList();
      block.addSubnet(net!, Number(bits), family(net!));
      return { kind: 'addresses', block, ...at };
    }
    if (isIP(entry)) {
      const block = new BlockList();
      block.addAddress(entry, family(entry));
      return { kind: 'addresses', block, ...at };
    }
  } catch {
    return null; // a prefix length out of range
  }
  const name = entry.replace(/^\*?\./, '').replace(/\.$/, '');
  return name ? { kind: 'domain', name, ...at } : null;
}

/** The entries of a NO_PROXY value or list: separated by commas or white space. */
function entriesOf(noProxy: string | readonly string[]): string[] {
  return (typeof noProxy === 'string' ? [noProxy] : noProxy).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
}

/**
 * True when a connection to host:port goes direct because `noProxy` (NO_PROXY syntax) names it. The one matcher of
 * the agent, curl's rules plus CIDR ranges:
 * - `*` matches every host;
 * - a name matches itself and its subdomains (`example.com`, `.example.com` and `*.example.com` are the same
 *   entry); names never match IP addresses;
 * - an IP address matches that address however it is written (`::1` = `0:0::1`); IPv6 with or without brackets;
 * - a CIDR range (`10.44.0.0/16`, `fd00::/8`) matches the IP addresses in it (names are not resolved for this);
 * - `:port` limits an entry to one port: `host:8443`, `10.0.0.1:8443`, `[::1]:8443`.
 * Matching ignores case and a trailing dot; entries that cannot match anything are ignored.
 */
export function bypassesProxy(host: string, port: number, noProxy: string | readonly string[]): boolean {
  const h = stripBrackets(host.trim().toLowerCase()).replace(/\.$/, '');
  const hostIsIp = isIP(h) !== 0;
  for (const raw of entriesOf(noProxy)) {
    const rule = parseEntry(raw);
    if (!rule || (rule.port !== undefined && rule.port !== port)) continue;
    if (rule.kind === 'all') return true;
    if (rule.kind === 'domain') {
      if (!hostIsIp && (h === rule.name || h.endsWith(`.${rule.name}`))) return true;
    } else if (hostIsIp && rule.block.check(h, family(h))) return true;
  }
  return false;
}
