import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin } from '../../agent/checks/settlement/index.js';
import { makeTestPki, type TestPki } from './support/pki.js';
import { httpsServer, type Running } from './support/servers.js';
import { runOnce, settlementConfig } from './support/run.js';

let pki: TestPki;
const servers: Running[] = [];
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('server chains go through the certificate engine under the endpoint\'s name', () => {
  it('a valid chain: one ok result per certificate, subject "tls:<endpoint> …", chain verified against the policy\'s anchors', async () => {
    const s = await httpsServer(pki.valid, pki.key);
    servers.push(s);
    const partial = { endpoints: [{ name: 'platform', url: `https://localhost:${s.port}/`, trust: { mode: 'caFile', caFile: pki.caFile } }], certificates: { anchors: [pki.caFile] } };
    const results = await runOnce(partial);
    const certs = results.filter((r) => r.subject.startsWith('tls:platform '));
    expect(certs.length).toBeGreaterThanOrEqual(1);
    const leaf = certs.find((r) => r.evidence.kind === 'leaf')!;
    expect(leaf).toMatchObject({ status: 'ok', labels: { source: 'tls:platform', endpoint: 'platform', host: 'localhost' }, evidence: { chainStatus: 'verified' } });
    expect(leaf.subject).toMatch(/^tls:platform localhost server [0-9a-f]{12}$/);
    expect(leaf.evidence).toMatchObject({ connectionTrust: `trust.caFile ${pki.caFile}`, connectionVerified: true, chainAnchors: `certificates.anchors ${pki.caFile}` });
    expect(leaf.message.en).toContain(`the TLS connection was verified against trust.caFile ${pki.caFile}, the chain verified against certificates.anchors (${pki.caFile})`);
  });

  describe('a self-signed server certificate trusted through trust.caFile says what was verified against what', () => {
    let selfSigned: { file: string; cert: string; key: string };
    beforeAll(() => {
      const dir = mkdtempSync(join(tmpdir(), 'gp-settlement-self-'));
      const file = join(dir, 'self.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'self.key'), '-out', file,
        '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
      selfSigned = { file, cert: readFileSync(file, 'utf8'), key: readFileSync(join(dir, 'self.key'), 'utf8') };
    });

    it('without anchors: the connection verified against the CA file, the chain not checked by the engine', async () => {
      const s = await httpsServer(selfSigned.cert, selfSigned.key);
      servers.push(s);
      const results = await runOnce({ endpoints: [{ name: 'platform', url: `https://localhost:${s.port}/`, trust: { mode: 'caFile', caFile: selfSigned.file } }] });
      expect(results.find((r) => r.subject === 'platform')).toMatchObject({ status: 'ok' });
      const [cert, ...more] = results.filter((r) => r.subject.startsWith('tls:platform '));
      expect(more).toHaveLength(0);
      expect(cert!.subject).toMatch(/^tls:platform localhost server [0-9a-f]{12}$/);
      expect(cert!.evidence).toMatchObject({ kind: 'root', chainStatus: 'not_checked', connectionTrust: `trust.caFile ${selfSigned.file}`, connectionVerified: true, chainAnchors: 'none' });
      expect(cert!.message.en).toContain(`the TLS connection was verified against trust.caFile ${selfSigned.file}, the chain was not checked (no certificates.anchors)`);
      expect(cert!.message.zh).toContain('证书链未检查（未配置 certificates.anchors）');
    });

    it('with the same file as anchor: the chain is verified against it too', async () => {
      const s = await httpsServer(selfSigned.cert, selfSigned.key);
      servers.push(s);
      const trust = { mode: 'caFile', caFile: selfSigned.file };
      const results = await runOnce({ endpoints: [{ name: 'platform', url: `https://localhost:${s.port}/`, trust }], certificates: { anchors: [selfSigned.file] } });
      const cert = results.find((r) => r.subject.startsWith('tls:platform '))!;
      expect(cert.evidence).toMatchObject({ chainStatus: 'verified', connectionVerified: true, chainAnchors: `certificates.anchors ${selfSigned.file}` });
      expect(cert.message.en).toContain(`the chain verified against certificates.anchors (${selfSigned.file})`);
    });

    it('trusted by the system store instead: the connection did not verify, and the result says against what', async () => {
      const s = await httpsServer(selfSigned.cert, selfSigned.key);
      servers.push(s);
      const results = await runOnce({ endpoints: [{ name: 'platform', url: `https://localhost:${s.port}/` }] });
      expect(results.find((r) => r.subject === 'platform')).toMatchObject({ status: 'fail', reason: 'tls_untrusted' });
      const cert = results.find((r) => r.subject.startsWith('tls:platform '))!;
      expect(cert.evidence).toMatchObject({ connectionTrust: 'system', connectionVerified: false });
      expect(cert.message.en).toContain('the TLS connection did not verify against the system store');
    });
  });

  it('an expired server certificate: PLATFORM_TLS_FAILED for the connection and CERT_EXPIRED (the cert check\'s code) for the certificate', async () => {
    const s = await httpsServer(pki.expired, pki.key);
    servers.push(s);
    const partial = { endpoints: [{ name: 'platform', url: `https://localhost:${s.port}/`, trust: { mode: 'caFile', caFile: pki.caFile } }] };
    const cfg = settlementConfig(partial);
    const results = await runOnce(partial);
    const conn = results.find((r) => r.subject === 'platform')!;
    expect(plugin.rules(conn, cfg)).toEqual({ code: 'PLATFORM_TLS_FAILED', severity: 'critical' });
    const leaf = results.find((r) => r.subject.startsWith('tls:platform') && r.evidence.kind === 'leaf')!;
    expect(leaf).toMatchObject({ status: 'fail', reason: 'expired', evidence: { notAfter: '2025-01-01T00:00:00.000Z' } });
    expect(plugin.rules(leaf, cfg)).toEqual({ code: 'CERT_EXPIRED', severity: 'critical' });
    expect(plugin.faults.map((f) => f.code)).not.toContain('CERT_EXPIRED'); // catalogued by the cert check only
  });

  it('expiry grading follows the check\'s certificate policy', async () => {
    const s = await httpsServer(pki.valid, pki.key);
    servers.push(s);
    // The test leaf is valid for 365 days: with a 400-day line it is "expiring".
    const partial = { endpoints: [{ name: 'platform', url: `https://localhost:${s.port}/`, trust: { mode: 'caFile', caFile: pki.caFile } }], certificates: { expiry: { minorDays: 400, majorDays: 30, criticalDays: 7 }, leafOnly: true } };
    const results = await runOnce(partial);
    const certs = results.filter((r) => r.subject.startsWith('tls:platform'));
    expect(certs).toHaveLength(1);
    expect(certs[0]).toMatchObject({ status: 'fail', reason: 'expiring' });
    expect(plugin.rules(certs[0]!, settlementConfig(partial))).toEqual({ code: 'CERT_EXPIRING', severity: 'minor' });
  });

  it('checkCertificates false keeps an endpoint\'s chain away from the engine', async () => {
    const s = await httpsServer(pki.valid, pki.key);
    servers.push(s);
    const results = await runOnce({ endpoints: [{ name: 'platform', url: `https://localhost:${s.port}/`, trust: { mode: 'caFile', caFile: pki.caFile }, checkCertificates: false }] });
    expect(results.map((r) => r.subject)).toEqual(['platform', 'system-clock']);
  });
});
