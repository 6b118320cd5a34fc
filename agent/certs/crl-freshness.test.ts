import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../core/checks/result.js';
import { certificateResults, certificateRules, inspectCertificates, type CertificatePolicy } from './index.js';
import { startFileServer } from './test-support/ocsp-responder.js';
import { getTestPki, type MutablePki } from './test-support/pki.js';

// Issue 19, items 5a and 5b: CRL_STALE only when a CRL really is (or is about to be left) out of date.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let w: MutablePki;
let anchors: CertificatePolicy;

beforeAll(async () => {
  w = await (await getTestPki()).workingCopy();
  anchors = { anchors: [w.path('anchors')], intermediates: [w.path('intermediates')] };
});
afterAll(() => w.cleanup());

type CrlPolicy = NonNullable<NonNullable<CertificatePolicy['revocation']>['crl']>;

/** The CRL's own result, as seen from a leaf of the CRL's family (a CRL answers for its issuer's certificates). */
async function crlEndpoint(crl: CrlPolicy, at: Date, cacheDir?: string, leaf = 'rsa-leaf'): Promise<ProbeResult> {
  const policy: CertificatePolicy = { ...anchors, revocation: { crl } };
  const reports = await inspectCertificates({ source: 'crl-test', certificates: [{ der: w.der(leaf), label: leaf }] }, policy, { now: at, cacheDir });
  return certificateResults(reports, { now: at }).find((r) => r.subject.startsWith('crl '))!;
}
const grade = (r: ProbeResult) => (r.status === 'fail' ? certificateRules(r, {}) : null);

describe('CRL freshness', () => {
  it('stays quiet about a weekly CRL just issued (default policy)', async () => {
    const file = await w.generateCrl('rsa', 7 * 24);
    const r = await crlEndpoint({ files: [file] }, new Date());
    expect(r).toMatchObject({ status: 'ok', reason: 'ok', evidence: { status: 'ok', daysToNextUpdate: 6.9 } });
  });

  it('does not call a CRL with an hour left stale: it is graded by time, not by days rounded to zero', async () => {
    const file = await w.generateCrl('rsa', 1);
    const issued = new Date();
    const quiet = await crlEndpoint({ files: [file] }, issued);
    expect(quiet).toMatchObject({ status: 'ok', evidence: { status: 'ok' } });

    // Asked to warn a day ahead: minor, "goes stale", in minutes.
    const warned = await crlEndpoint({ files: [file], staleWarnDays: 1 }, issued);
    expect(warned).toMatchObject({ status: 'fail', reason: 'crl_stale', evidence: { status: 'expiring', daysToNextUpdate: 0 } });
    expect(grade(warned)).toEqual({ code: 'CRL_STALE', severity: 'minor' });
    expect(warned.message.en).toMatch(/goes stale on .* \(\d+ minutes left\)/);
    expect(warned.message.en).not.toContain('went stale');

    // Only once nextUpdate has passed is it stale, and major.
    const passed = await crlEndpoint({ files: [file] }, new Date(issued.getTime() + 2 * HOUR));
    expect(passed).toMatchObject({ status: 'fail', reason: 'crl_stale', evidence: { status: 'stale' } });
    expect(grade(passed)).toEqual({ code: 'CRL_STALE', severity: 'major' });
    expect(passed.message.en).toMatch(/went stale on .* \(1 hour ago\); an old list is in use/);
  });

  it('warns about a downloaded CRL only when its refresh failed and less than staleWarnPercent of its life is left', async () => {
    const file = await w.generateCrl('rsa', 7 * 24);
    const server = await startFileServer({ '/rsa.crl': () => readFile(file) });
    const url = `${server.url}/rsa.crl`;
    const cacheDir = path.join(w.dir, 'cache-freshness');
    let next: number;
    try {
      const first = await crlEndpoint({ urls: [url] }, new Date(), cacheDir);
      expect(first).toMatchObject({ status: 'ok', evidence: { fromCache: false } });
      next = Date.parse(String(first.evidence.nextUpdate));
      // Refreshed on time with three days left: the CA's newest list, still quiet.
      const refreshed = await crlEndpoint({ urls: [url] }, new Date(next - 3 * DAY), cacheDir);
      expect(refreshed).toMatchObject({ status: 'ok', evidence: { fromCache: false } });
    } finally {
      await server.close();
    }
    // The server is gone; a day and a half before nextUpdate the refresh fails, with 21 % of the CRL's life left.
    const failed = await crlEndpoint({ urls: [url] }, new Date(next - 1.5 * DAY), cacheDir);
    expect(failed).toMatchObject({ status: 'fail', reason: 'crl_stale', evidence: { status: 'expiring', fromCache: true, error: 'connection refused' } });
    expect(grade(failed)).toEqual({ code: 'CRL_STALE', severity: 'minor' });
    expect(failed.message.en).toContain('(1.5 days left)');
    // With the rule off, the same failed refresh stays a note in the evidence.
    const off = await crlEndpoint({ urls: [url], staleWarnPercent: 0 }, new Date(next - 1.5 * DAY), cacheDir);
    expect(off).toMatchObject({ status: 'ok', evidence: { fromCache: true, error: 'connection refused' } });
  });

  it('keeps a failed refresh quiet while more than staleWarnPercent of the cached CRL\'s life is left', async () => {
    const file = await w.generateCrl('ec', 7 * 24);
    const issued = new Date();
    const server = await startFileServer({ '/ec.crl': () => readFile(file) });
    const url = `${server.url}/ec.crl`;
    const cacheDir = path.join(w.dir, 'cache-freshness-early');
    try {
      await crlEndpoint({ urls: [url] }, issued, cacheDir, 'ec-leaf');
    } finally {
      await server.close();
    }
    const failedEarly = await crlEndpoint({ urls: [url] }, new Date(issued.getTime() + 2 * DAY), cacheDir, 'ec-leaf');
    expect(failedEarly).toMatchObject({ status: 'ok', evidence: { fromCache: true, error: 'connection refused' } });
    const failedLate = await crlEndpoint({ urls: [url] }, new Date(issued.getTime() + 4 * DAY), cacheDir, 'ec-leaf');
    expect(failedLate).toMatchObject({ reason: 'crl_stale', evidence: { status: 'expiring' } });
  });
});
