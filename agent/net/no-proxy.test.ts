import { describe, expect, it } from 'vitest';
import { bypassesProxy } from './no-proxy.js';

// The cases where the settlement check's and the tunnel's matchers used to disagree are marked "(was: ...)".
describe('NO_PROXY matching', () => {
  it('"*" sends every host direct', () => {
    expect(bypassesProxy('anything.example', 443, '*')).toBe(true);
    expect(bypassesProxy('10.1.2.3', 1, ['localhost', '*'])).toBe(true);
  });

  it('a name covers itself and its subdomains; ".x" and "*.x" are the same entry; case and a trailing dot do not matter', () => {
    for (const entry of ['example.com', '.example.com', '*.example.com', 'EXAMPLE.com.']) {
      expect(bypassesProxy('desk.example.com', 443, entry)).toBe(true);
      expect(bypassesProxy('example.com', 443, entry)).toBe(true);
      expect(bypassesProxy('badexample.com', 443, entry)).toBe(false);
    }
    expect(bypassesProxy('Desk.Example.COM.', 443, 'example.com')).toBe(true);
  });

  it('names never match IP addresses (was: "2.3.4" matched 1.2.3.4 as a suffix in the settlement matcher)', () => {
    expect(bypassesProxy('1.2.3.4', 443, '2.3.4')).toBe(false);
    expect(bypassesProxy('1.2.3.4', 443, '1.2.3.4')).toBe(true);
  });

  it('IPv4 and IPv6 CIDR ranges match addresses in them, never names (was: no CIDR in the tunnel matcher)', () => {
    expect(bypassesProxy('10.44.1.2', 8080, '10.44.0.0/16')).toBe(true);
    expect(bypassesProxy('10.45.1.2', 8080, '10.44.0.0/16')).toBe(false);
    expect(bypassesProxy('fd12:3456::7', 443, 'fd00::/8')).toBe(true);
    expect(bypassesProxy('[fd12:3456::7]', 443, 'fd00::/8')).toBe(true);
    expect(bypassesProxy('2001:db8::1', 443, 'fd00::/8')).toBe(false);
    expect(bypassesProxy('localhost', 443, '127.0.0.0/8')).toBe(false);
  });

  it('ignores entries that cannot match anything', () => {
    expect(bypassesProxy('10.1.2.3', 443, '10.0.0.0/33, nonsense/8, 10.0.0.0/x, , :443')).toBe(false);
    expect(bypassesProxy('example.org', 1, [''])).toBe(false);
  });

  it('IPv6 addresses match however they are written, with or without brackets (was: "[::1]" never matched in the settlement matcher)', () => {
    expect(bypassesProxy('::1', 443, '::1')).toBe(true);
    expect(bypassesProxy('[::1]', 443, '::1')).toBe(true);
    expect(bypassesProxy('0:0:0:0:0:0:0:1', 443, '[::1]')).toBe(true);
    expect(bypassesProxy('::2', 443, '::1')).toBe(false);
  });

  it('host:port limits an entry to one port, for names, IPv4 and bracketed IPv6 (was: "[::1]:8443" never matched in the settlement matcher)', () => {
    expect(bypassesProxy('desk.example.com', 443, 'example.com:8443')).toBe(false);
    expect(bypassesProxy('desk.example.com', 8443, 'example.com:8443')).toBe(true);
    expect(bypassesProxy('192.168.1.5', 8080, '192.168.1.5:8080')).toBe(true);
    expect(bypassesProxy('192.168.1.5', 443, '192.168.1.5:8080')).toBe(false);
    expect(bypassesProxy('::1', 8443, '[::1]:8443')).toBe(true);
    expect(bypassesProxy('::1', 443, '[::1]:8443')).toBe(false);
    // A bare IPv6 address is an address, not address:port.
    expect(bypassesProxy('2001:db8::8443', 1, '2001:db8::8443')).toBe(true);
  });

  it('takes a NO_PROXY value or a list, separated by commas or white space', () => {
    expect(bypassesProxy('b.example', 1, 'a.example, b.example')).toBe(true);
    expect(bypassesProxy('c.example', 1, 'a.example  c.example')).toBe(true);
    expect(bypassesProxy('c.example', 1, ['a.example', 'b.example,c.example'])).toBe(true);
    expect(bypassesProxy('LOCALHOST', 1, [' localhost '])).toBe(true);
  });
});
