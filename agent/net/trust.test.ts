import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaStore, spkiPin } from './trust.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-net-trust-'));
const certFile = join(dir, 'cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', certFile, '-days', '1', '-subj', '/CN=pin-test'], { stdio: 'ignore' });
const pem = readFileSync(certFile, 'utf8');

describe('spkiPin', () => {
  it('is the HPKP pin openssl computes, for PEM, DER and X509Certificate alike', () => {
    const spkiDer = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: execFileSync('openssl', ['x509', '-pubkey', '-noout', '-in', certFile]) });
    const expected = `sha256/${execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: spkiDer }).toString('base64')}`;
    const x509 = new X509Certificate(pem);
    expect(spkiPin(pem)).toBe(expected);
    expect(spkiPin(Buffer.from(pem))).toBe(expected);
    expect(spkiPin(x509.raw)).toBe(expected);
    expect(spkiPin(x509)).toBe(expected);
  });
});

describe('CaStore', () => {
  it('reads a CA file, and names the setting when it cannot', () => {
    const cas = new CaStore();
    expect(cas.caFor({ mode: 'caFile', caFile: certFile, pins: [], serverName: '' }, 'checks.x.endpoints[0]')).toBe(pem);
    expect(() => cas.caFor({ mode: 'caFile', caFile: join(dir, 'missing.pem'), pins: [], serverName: '' }, 'checks.x.endpoints[0]')).toThrow(
      `checks.x.endpoints[0].trust.caFile: cannot read ${join(dir, 'missing.pem')}: ENOENT`,
    );
    expect(cas.caFor({ mode: 'pin', caFile: '', pins: ['sha256/x'], serverName: '' }, 'w')).toBeUndefined();
  });
});

describe('CaStore.contextFor', () => {
  const trustOf = (caFile: string) => ({ mode: 'caFile' as const, caFile, pins: [], serverName: '' });

  it('builds one TLS context per trust setting and reuses it while the CA file is unchanged', () => {
    const cas = new CaStore();
    const file = cas.contextFor(trustOf(certFile), 'w');
    expect(cas.contextFor(trustOf(certFile), 'w')).toBe(file);
    const system = cas.contextFor({ mode: 'system', caFile: '', pins: [], serverName: '' }, 'w');
    expect(cas.contextFor({ mode: 'system', caFile: '', pins: [], serverName: '' }, 'w')).toBe(system);
    expect(system).not.toBe(file);
    expect(cas.contextFor({ mode: 'pin', caFile: '', pins: ['sha256/x'], serverName: '' }, 'w')).toBe(cas.contextFor({ mode: 'pin', caFile: '', pins: ['sha256/y'], serverName: '' }, 'w'));
  });

  it('builds a new context when the CA file changes (a renewed private CA needs no restart)', () => {
    const file = join(dir, 'changing.pem');
    writeFileSync(file, pem);
    const cas = new CaStore();
    const before = cas.contextFor(trustOf(file), 'w');
    writeFileSync(file, `${pem}${pem}`);
    const after = cas.contextFor(trustOf(file), 'w');
    expect(after).not.toBe(before);
    expect(cas.contextFor(trustOf(file), 'w')).toBe(after);
  });
});
