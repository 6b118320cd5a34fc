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
    expect(leaf.subject).toMatch(/^tls:platform localhost leaf [0-9a-f]{12}$/);
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
