import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../core/checks/result.js';
import {
  CERT_FAULTS,
  CERT_REASONS,
  certificateResults,
  certificateRules,
  CertificatePolicySchema,
  POLICY_DEFAULTS,
  resolveCertificatePolicy,
  type CertificateReport,
} from './index.js';

const result = (reason: string, evidence: ProbeResult['evidence'] = {}): ProbeResult => ({
  status: 'fail', reason, subject: 's', evidence, message: { zh: '', en: '' }, time: '', durationMs: 0,
});

function report(over: Partial<CertificateReport>): CertificateReport {
  return {
    source: '/etc/gdca/sign.pem', index: 0, keyUsage: ['digitalSignature'], extendedKeyUsage: [], role: 'signing', verdict: 'valid',
    chain: { status: 'verified', path: [] }, revocation: { status: 'not_checked' }, revocationSources: [], weaknesses: [], findings: [],
    sha256: 'ab'.repeat(32), commonName: 'GDCA signer', subject: 'CN=GDCA signer', notAfter: '2026-01-01T00:00:00.000Z', daysLeft: 40,
    ...over,
  };
}

describe('certificate fault rules', () => {
  it('maps every reason to one of CERT_FAULTS, catalogued with runbook text in both languages', () => {
    const codes = new Set(CERT_FAULTS.map((f) => f.code));
    expect([...codes]).toEqual([
      'CERT_EXPIRING', 'CERT_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_CHAIN_INVALID', 'CERT_REVOKED', 'CERT_WEAK', 'CERT_UNPARSABLE', 'CRL_STALE', 'REVOCATION_UNAVAILABLE',
    ]);
    for (const reason of Object.keys(CERT_REASONS)) {
      const s = certificateRules(result(reason), {});
      expect(s, reason).not.toBeNull();
      expect(codes.has(s!.code), reason).toBe(true);
    }
    expect(certificateRules(result('timeout'), {})).toBeNull();
    expect(CERT_FAULTS.find((f) => f.code === 'CERT_NOT_YET_VALID')!.operator.zh).toContain('时间');
  });

  it('keeps CERT_EXPIRING one fault whose severity follows the days left and the configured thresholds', () => {
    const grade = (days: number, policy = {}) => certificateRules(result('expiring', { daysLeft: days }), policy);
    expect(grade(89.9)).toEqual({ code: 'CERT_EXPIRING', severity: 'minor' });
    expect(grade(30)).toEqual({ code: 'CERT_EXPIRING', severity: 'major' });
    expect(grade(7)).toEqual({ code: 'CERT_EXPIRING', severity: 'critical' });
    expect(grade(120)).toBeNull();
    expect(grade(20, { expiry: { minorDays: 30, majorDays: 10, criticalDays: 2 } })).toEqual({ code: 'CERT_EXPIRING', severity: 'minor' });
    expect(certificateRules(result('chain_expiring', { daysLeft: 300, chainDaysLeft: 6 }), {})).toEqual({ code: 'CERT_EXPIRING', severity: 'critical' });
    expect(certificateRules(result('expired'), {})).toEqual({ code: 'CERT_EXPIRED', severity: 'critical' });
  });
});

describe('certificateResults', () => {
  it('gives each certificate a stable subject and its worst finding as the reason', () => {
    const [ok, expiring, token] = certificateResults([
      report({}),
      report({ findings: [{ reason: 'expiring', severity: 'major' }, { reason: 'weak_algorithm', severity: 'minor' }], daysLeft: 20, notAfter: '2025-12-21T00:00:00.000Z', index: 1, sha256: 'cd'.repeat(32) }),
      report({ source: 'token:GDCA', label: 'sign-cert', index: 2 }),
    ], { now: new Date('2025-12-01T00:00:00Z') });
    expect(ok).toMatchObject({ status: 'ok', reason: 'ok', subject: '/etc/gdca/sign.pem GDCA signer abababababab', labels: { source: '/etc/gdca/sign.pem' } });
    expect(expiring).toMatchObject({ status: 'fail', reason: 'expiring', evidence: { daysLeft: 20, findings: 'expiring:major,weak_algorithm:minor' } });
    expect(expiring!.message.zh).toContain('剩余 20 天');
    expect(token!.subject).toBe('token:GDCA sign-cert abababababab');
  });

  it('reports each CRL/OCSP endpoint once, at its worst, apart from the certificates', () => {
    const crl = { kind: 'crl' as const, location: 'http://crl.example/ca.crl', fromCache: true };
    const results = certificateResults([
      report({ revocationSources: [{ ...crl, status: 'ok' }] }),
      report({ index: 1, sha256: 'cd'.repeat(32), revocationSources: [{ ...crl, status: 'stale', daysToNextUpdate: 3, nextUpdate: '2025-12-04T00:00:00Z' }] }),
    ]);
    const endpoints = results.filter((r) => r.subject.startsWith('crl '));
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({ reason: 'crl_stale', evidence: { daysToNextUpdate: 3, fromCache: true }, labels: { endpoint: crl.location } });
    expect(results.filter((r) => r.reason === 'ok')).toHaveLength(2);
  });
});

describe('CertificatePolicySchema', () => {
  it('fills every default when embedded in a check schema and validated', () => {
    const validate = new Ajv({ useDefaults: true, strict: false }).compile(CertificatePolicySchema);
    const doc: Record<string, unknown> = {};
    expect(validate(doc)).toBe(true);
    expect(doc).toEqual(POLICY_DEFAULTS);
    expect(resolveCertificatePolicy(undefined)).toEqual(POLICY_DEFAULTS);
    expect(resolveCertificatePolicy({ expiry: { majorDays: 14 } }).expiry).toEqual({ minorDays: 90, majorDays: 14, criticalDays: 7 });
    expect(validate({ expiry: { minorDays: 90, extra: 1 } })).toBe(false);
  });
});
