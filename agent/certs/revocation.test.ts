import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateResults, certificateRules, inspectCertificates, type CertificatePolicy, type CertificateReport } from './index.js';
import { startFileServer } from './test-support/ocsp-responder.js';
import { getTestPki, type MutablePki } from './test-support/pki.js';

const DAY = 86_400_000;
let w: MutablePki;
let now: Date;
let base: CertificatePolicy;

beforeAll(async () => {
  w = await (await getTestPki()).workingCopy();
  now = new Date();
  base = { anchors: [w.path('anchors')], intermediates: [w.path('intermediates')] };
});
afterAll(() => w.cleanup());

const inspect = (names: string[], policy: CertificatePolicy, at = now, cacheDir?: string): Promise<CertificateReport[]> =>
  inspectCertificates({ source: 'rev', certificates: names.map((n) => ({ der: w.der(n), label: n })) }, policy, { now: at, cacheDir });
const withCrl = (crl: NonNullable<NonNullable<CertificatePolicy['revocation']>['crl']>): CertificatePolicy => ({ ...base, revocation: { crl } });
const endpoint = (reports: CertificateReport[], prefix: string) => certificateResults(reports, { now }).find((r) => r.subject.startsWith(prefix))!;

describe('CRL from files', () => {
  it('finds revoked RSA, ECDSA and SM2 certificates in CRLs whose signatures verify (SM3withSM2 included)', async () => {
    const files = (['rsa', 'ec', 'sm2'] as const).map((f) => w.crlPath(f));
    const rs = await inspect(['rsa-leaf', 'rsa-revoked', 'ec-revoked', 'sm2-sign', 'sm2-revoked'], withCrl({ files }));
    expect(rs.map((r) => r.revocation.status)).toEqual(['good', 'revoked', 'revoked', 'good', 'revoked']);
    expect(rs[4]!.revocation).toMatchObject({ method: 'crl', source: w.crlPath('sm2'), revocationReason: 'keyCompromise' });
    expect(rs[4]!.findings).toEqual([{ reason: 'revoked', severity: 'critical' }]);
    expect(rs[4]).toMatchObject({ verdict: 'invalid', invalidReason: 'revoked' });
    const results = certificateResults(rs, { now });
    const revoked = results.find((r) => r.evidence.sha256 === rs[1]!.sha256)!;
    expect(certificateRules(revoked, {})).toEqual({ code: 'CERT_REVOKED', severity: 'critical' });
    expect(results.filter((r) => r.subject.startsWith('crl ')).map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('sees a revocation made during the test once the CRL is regenerated', async () => {
    await w.revoke('ec-leaf', 'superseded');
    const crl = await w.generateCrl('ec');
    const [r] = await inspect(['ec-leaf'], withCrl({ files: [crl] }));
    expect(r!.revocation).toMatchObject({ status: 'revoked', revocationReason: 'superseded' });
  });

  it('grades CRL_STALE minor within staleWarnDays of nextUpdate and major after it, without calling the certificate revoked', async () => {
    const crl = await w.generateCrl('rsa', 48); // nextUpdate in two days
    const soon = await inspect(['rsa-leaf'], withCrl({ files: [crl], staleWarnDays: 3 }));
    const stale = endpoint(soon, 'crl ');
    expect(stale).toMatchObject({ status: 'fail', reason: 'crl_stale' });
    expect(certificateRules(stale, {})).toEqual({ code: 'CRL_STALE', severity: 'minor' });
    expect(soon[0]!.revocation.status).toBe('good');
    expect(endpoint(await inspect(['rsa-leaf'], withCrl({ files: [crl], staleWarnDays: 1 })), 'crl ').status).toBe('ok');
    expect(endpoint(await inspect(['rsa-leaf'], withCrl({ files: [crl] })), 'crl ').status).toBe('ok'); // no early warning by default
    const past = endpoint(await inspect(['rsa-leaf'], withCrl({ files: [crl] }), new Date(now.getTime() + 3 * DAY)), 'crl ');
    expect(Number(past.evidence.daysToNextUpdate)).toBeLessThan(0);
    expect(certificateRules(past, {})).toEqual({ code: 'CRL_STALE', severity: 'major' });
  });

  it('treats a CRL no known CA signed, and a missing file, as unavailable revocation, never as revoked', async () => {
    const noSigner = await inspect(['rsa-revoked'], { anchors: [w.path('ec-root')], revocation: { crl: { files: [w.crlPath('rsa')] } } });
    expect(noSigner[0]!.revocation.status).toBe('not_checked');
    const invalid = endpoint(noSigner, 'crl ');
    expect(invalid).toMatchObject({ status: 'fail', reason: 'crl_invalid' });
    expect(certificateRules(invalid, {})).toEqual({ code: 'REVOCATION_UNAVAILABLE', severity: 'minor' });
    const missing = endpoint(await inspect(['rsa-leaf'], withCrl({ files: [path.join(w.dir, 'nope.crl')] })), 'crl ');
    expect(missing).toMatchObject({ reason: 'crl_unavailable', evidence: { error: 'cannot read: ENOENT' } });
  });
});

describe('CRL from a URL, cached on disk', () => {
  it('downloads once, refreshes after refreshHours, and keeps working from the cache when the server is gone', async () => {
    const crlFile = w.crlPath('sm2');
    const server = await startFileServer({ '/sm2.crl': () => readFile(crlFile) });
    const url = `${server.url}/sm2.crl`;
    const cacheDir = path.join(w.dir, 'cache-url');
    const policy = withCrl({ urls: [url], refreshHours: 24 });
    try {
      const first = await inspect(['sm2-revoked'], policy, now, cacheDir);
      expect(first[0]!.revocation).toMatchObject({ status: 'revoked', method: 'crl', source: url });
      expect(endpoint(first, 'crl ').evidence).toMatchObject({ fromCache: false });
      expect(server.hits).toBe(1);
      await inspect(['sm2-revoked'], policy, new Date(now.getTime() + 3_600_000), cacheDir);
      expect(server.hits).toBe(1); // within refreshHours: the cache answers
      await inspect(['sm2-revoked'], policy, new Date(now.getTime() + 25 * 3_600_000), cacheDir);
      expect(server.hits).toBe(2);
    } finally {
      await server.close();
    }
    // Offline: the download fails, the cached CRL still finds the revoked certificate.
    const offline = await inspect(['sm2-revoked'], policy, new Date(now.getTime() + 50 * 3_600_000), cacheDir);
    expect(offline[0]!.revocation.status).toBe('revoked');
    const ep = endpoint(offline, 'crl ');
    expect(ep).toMatchObject({ status: 'ok', evidence: { fromCache: true, error: 'connection refused' } });
    // Without a cache an unreachable CRL is REVOCATION_UNAVAILABLE, and the certificate is not called revoked.
    const cold = await inspect(['sm2-revoked'], policy, now, path.join(w.dir, 'cache-empty'));
    expect(cold[0]!.revocation.status).toBe('not_checked');
    expect(cold[0]!.findings).toEqual([]);
    const unavailable = endpoint(cold, 'crl ');
    expect(unavailable).toMatchObject({ status: 'fail', reason: 'crl_unavailable' });
    expect(certificateRules(unavailable, {})).toEqual({ code: 'REVOCATION_UNAVAILABLE', severity: 'minor' });
  });
});

describe('OCSP (opt-in), against openssl ocsp in file mode', () => {
  it('answers good and revoked for RSA, ECDSA and SM2, and sees a revocation made during the test', async () => {
    for (const family of ['rsa', 'ec', 'sm2'] as const) {
      const responder = await w.ocspResponder(family);
      const names = family === 'sm2' ? ['sm2-exp5', 'sm2-revoked'] : [`${family}-exp20`, `${family}-revoked`];
      const policy: CertificatePolicy = { ...base, revocation: { ocsp: { enabled: true, url: responder.url, cacheHours: 0 } } };
      const rs = await inspect(names, policy);
      expect(rs.map((r) => [r.revocation.status, r.revocation.method])).toEqual([['good', 'ocsp'], ['revoked', 'ocsp']]);
      await w.revoke(names[0]!, 'cessationOfOperation');
      const again = await inspect(names.slice(0, 1), policy);
      expect(again[0]!.revocation).toMatchObject({ status: 'revoked', revocationReason: 'cessationOfOperation' });
      expect(responder.requests).toBe(3);
    }
  });

  it('asks the responder named in the certificate, caches the answer, and uses the cache while the responder is down', async () => {
    const responder = await w.ocspResponder('rsa');
    await w.issue({ name: 'rsa-aia', family: 'rsa', cn: 'rsa-aia', ext: 'sign_ext', startDays: -1, endDays: 365, extraExt: [`authorityInfoAccess = OCSP;URI:${responder.url}`] });
    const cacheDir = path.join(w.dir, 'cache-ocsp');
    const policy: CertificatePolicy = { ...base, revocation: { ocsp: { enabled: true, cacheHours: 4, timeoutSeconds: 2 } } };
    const first = await inspect(['rsa-aia'], policy, now, cacheDir);
    expect(first[0]!.revocation).toMatchObject({ status: 'good', source: responder.url });
    await inspect(['rsa-aia'], policy, new Date(now.getTime() + 60_000), cacheDir);
    expect(responder.requests).toBe(1);
    await responder.close();
    // Past cacheHours the responder is asked again; it is down, the still-valid cached answer stands.
    const later = await inspect(['rsa-aia'], { ...policy, revocation: { ocsp: { enabled: true, cacheHours: 0, timeoutSeconds: 2 } } }, now, cacheDir);
    expect(later[0]!.revocation.status).toBe('good');
    expect(endpoint(later, 'ocsp ')).toMatchObject({ status: 'ok', evidence: { fromCache: true, error: 'connection refused' } });
  });

  it('gives up on a hanging responder at the timeout and reports it unavailable, not revoked', async () => {
    const responder = await w.ocspResponder('sm2', { behaviour: 'hang' });
    const policy: CertificatePolicy = { ...base, revocation: { ocsp: { enabled: true, url: responder.url, timeoutSeconds: 0.5, cacheHours: 0 } } };
    const started = performance.now();
    const rs = await inspect(['sm2-revoked'], policy);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(rs[0]!.revocation.status).toBe('not_checked');
    const ep = endpoint(rs, 'ocsp ');
    expect(ep).toMatchObject({ status: 'fail', reason: 'ocsp_unavailable', evidence: { error: 'timed out after 0.5 s' } });
    expect(certificateRules(ep, {})).toEqual({ code: 'REVOCATION_UNAVAILABLE', severity: 'minor' });
    responder.setBehaviour('garbage');
    const bad = endpoint(await inspect(['sm2-revoked'], policy), 'ocsp ');
    expect(bad).toMatchObject({ reason: 'ocsp_invalid' });
    responder.setBehaviour('http500');
    expect(endpoint(await inspect(['sm2-revoked'], policy), 'ocsp ').evidence.error).toBe('HTTP 500 Internal Server Error');
  });

  it('is off unless enabled: no request reaches the responder', async () => {
    const responder = await w.ocspResponder('rsa');
    const rs = await inspect(['rsa-revoked'], { ...base, revocation: { ocsp: { url: responder.url } } });
    expect(rs[0]!.revocation.status).toBe('not_checked');
    expect(responder.requests).toBe(0);
  });
});
