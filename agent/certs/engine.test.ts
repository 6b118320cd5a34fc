import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCertificates, type CertificatePolicy, type CertificateReport } from './index.js';
import { getTestPki, type MutablePki, type TestPki } from './test-support/pki.js';

const DAY = 86_400_000;
let pki: TestPki;
let now: Date;
let policy: CertificatePolicy;

beforeAll(async () => {
  pki = await getTestPki();
  // The PKI may come from earlier today's cache: count from its creation so "5 days left" means 5.5 - elapsed.
  now = new Date();
  policy = { anchors: [pki.path('anchors')], intermediates: [pki.path('intermediates')] };
});

async function inspect(names: string[], p: CertificatePolicy = policy, at = now): Promise<CertificateReport[]> {
  return inspectCertificates({ source: 'test', certificates: names.map((n) => ({ der: pki.der(n), label: n })) }, p, { now: at });
}
const one = async (name: string, p?: CertificatePolicy, at?: Date) => (await inspect([name], p, at))[0]!;
const reasons = (r: CertificateReport) => r.findings.map((f) => `${f.reason}:${f.severity}`);

describe('parsing RSA, ECDSA and SM2 certificates', () => {
  it('reports the facts of each certificate as openssl sees them', async () => {
    for (const name of ['rsa-leaf', 'ec-leaf', 'sm2-sign', 'rsa-root']) {
      const r = await one(name);
      const text = execFileSync('openssl', ['x509', '-in', pki.path(name), '-noout', '-fingerprint', '-sha256', '-serial', '-enddate'], { encoding: 'utf8' });
      const fp = /Fingerprint=([0-9A-F:]+)/.exec(text)![1]!.replaceAll(':', '').toLowerCase();
      const serial = /serial=([0-9A-F]+)/.exec(text)![1]!;
      expect(r.sha256).toBe(fp);
      // openssl drops the 00 sign byte; the engine keeps the bytes as encoded (leading zeros included).
      expect(r.serial!.replace(/^00/, '')).toBe(serial);
      expect(new Date(r.notAfter!).getTime()).toBe(new Date(/notAfter=(.*)/.exec(text)![1]!).getTime());
    }
    expect((await one('rsa-root')).serial).toBe('008F1E2D3C4B5A6978');
    expect((await one('ec-root')).serial).toBe('0A1B2C');
  });

  it('names key algorithm, size, curve, signature algorithm, key usage and role', async () => {
    const [rsa, ec, sm2Sign, sm2Enc, server, int] = await inspect(['rsa-leaf', 'ec-leaf', 'sm2-sign', 'sm2-enc', 'rsa-server', 'ec-int']);
    expect(rsa).toMatchObject({ keyAlgorithm: 'RSA', keyBits: 2048, signatureAlgorithm: 'sha256WithRSAEncryption', role: 'signing', kind: 'leaf' });
    expect(rsa!.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(rsa!.extendedKeyUsage).toEqual(['clientAuth']);
    expect(ec).toMatchObject({ keyAlgorithm: 'EC', curve: 'P-256', keyBits: 256, signatureAlgorithm: 'ecdsa-with-SHA256' });
    expect(int).toMatchObject({ keyAlgorithm: 'EC', curve: 'P-384', signatureAlgorithm: 'ecdsa-with-SHA384', role: 'ca', kind: 'intermediate' });
    expect(sm2Sign).toMatchObject({ keyAlgorithm: 'SM2', curve: 'SM2', signatureAlgorithm: 'SM3withSM2', role: 'signing', commonName: 'sm2-holder' });
    expect(sm2Enc).toMatchObject({ role: 'encryption' });
    expect(sm2Enc!.keyUsage).toEqual(['keyEncipherment', 'dataEncipherment', 'keyAgreement']);
    expect(server).toMatchObject({ role: 'signing+encryption', extendedKeyUsage: ['serverAuth'] });
  });

  it('pairs the SM2 signing and encryption certificates of one holder, by subject or by id', async () => {
    const [sign, enc, other] = await inspect(['sm2-sign', 'sm2-enc', 'sm2-exp5']);
    expect(sign!.pairedWith).toBe(enc!.sha256);
    expect(enc!.pairedWith).toBe(sign!.sha256);
    expect(other!.pairedWith).toBeUndefined();
    // A token's CKA_ID pairs certificates whatever their subjects.
    const byId = await inspectCertificates(
      { source: 'token', certificates: [{ der: pki.der('sm2-exp5'), id: 'A1' }, { der: pki.der('sm2-enc'), id: 'a1' }] },
      policy,
      { now },
    );
    expect(byId[0]!.pairedWith).toBe(byId[1]!.sha256);
  });
});

describe('chains', () => {
  it('verifies RSA, ECDSA and SM2 chains to the anchors, every signature, and says which SM2 ID verified', async () => {
    const [rsa, ec, sm2, empty] = await inspect(['rsa-leaf', 'ec-leaf', 'sm2-sign', 'sm2-emptyid']);
    for (const r of [rsa, ec, sm2, empty]) {
      expect(r!.verdict).toBe('valid');
      expect(r!.chain.status).toBe('verified');
      expect(r!.chain.path.map((l) => l.anchor)).toEqual([false, true]);
      expect(r!.findings).toEqual([]);
    }
    expect(sm2!.chain.sm2Id).toBe('gbt');
    expect(empty!.chain.sm2Id).toBe('empty');
    expect(sm2!.chain.path[0]!.subject).toContain('Test SM2 Intermediate');
  });

  it('takes intermediates from the source itself, and reports a missing one as issuer_not_found', async () => {
    const fromSource = await inspect(['rsa-leaf', 'rsa-int'], { anchors: [pki.path('anchors')] });
    expect(fromSource[0]!.chain.status).toBe('verified');
    const missing = await one('sm2-sign', { anchors: [pki.path('anchors')] });
    expect(missing).toMatchObject({ verdict: 'invalid', invalidReason: 'chain_invalid', chain: { status: 'failed', error: 'issuer_not_found' } });
    expect(reasons(missing)).toEqual(['chain_invalid:major']);
  });

  it('refuses a root that is not an anchor, and a tampered signature', async () => {
    const untrusted = await one('ec-leaf', { anchors: [pki.path('rsa-root')], intermediates: [pki.path('intermediates'), pki.path('ec-root')] });
    expect(untrusted.chain).toMatchObject({ status: 'failed', error: 'untrusted_root' });
    expect(untrusted.chain.errorDetail).toContain('Test ECDSA Root');
    for (const name of ['rsa-leaf', 'sm2-sign']) {
      const der = new Uint8Array(pki.der(name));
      der[der.length - 5]! ^= 0x01; // inside the signature's value
      const [r] = await inspectCertificates({ source: 't', certificates: [{ der }] }, policy, { now });
      expect(r!.chain).toMatchObject({ status: 'failed', error: 'bad_signature' });
      expect(r!.verdict).toBe('invalid');
    }
  });

  it('without anchors does not judge the chain, and calls a lone root self-signed', async () => {
    const [leaf, root] = await inspect(['rsa-leaf', 'sm2-root'], {});
    expect(leaf!.chain.status).toBe('not_checked');
    expect(leaf!.verdict).toBe('valid');
    expect(root).toMatchObject({ verdict: 'self-signed', kind: 'root', chain: { status: 'not_checked' } });
    expect(root!.findings).toEqual([]);
    const anchored = await one('sm2-root');
    expect(anchored).toMatchObject({ verdict: 'valid', chain: { status: 'verified', path: [] } });
  });

  it('reports unsupported signature algorithms as such, never crashing', async () => {
    // Rewrite the outer signature algorithm OID sha256WithRSAEncryption (…01 01 0B) to an unknown …01 01 7F.
    const der = new Uint8Array(pki.der('rsa-leaf'));
    const oid = Buffer.from('06092a864886f70d01010b', 'hex');
    const at = Buffer.from(der).lastIndexOf(oid);
    der[at + oid.length - 1] = 0x7f;
    const [r] = await inspectCertificates({ source: 't', certificates: [{ der }] }, policy, { now });
    expect(r).toMatchObject({ signatureAlgorithm: '1.2.840.113549.1.1.127', verdict: 'invalid', invalidReason: 'unsupported_algorithm', chain: { error: 'unsupported_algorithm' } });
    expect(reasons(r!)).toEqual(['unsupported_algorithm:major']);
  });
});

describe('expiry, reported for the leaf and the verified chain separately', () => {
  it('grades days left: ≤7 critical, ≤30 major, ≤90 minor; expired and not yet valid are critical', async () => {
    const rs = await inspect(['rsa-leaf', 'rsa-exp5', 'rsa-exp20', 'rsa-exp60', 'rsa-expired', 'rsa-future', 'sm2-exp5', 'sm2-expired', 'sm2-future', 'ec-exp20']);
    expect(rs.map((r) => [r.label, reasons(r).join()])).toEqual([
      ['rsa-leaf', ''],
      ['rsa-exp5', 'expiring:critical'],
      ['rsa-exp20', 'expiring:major'],
      ['rsa-exp60', 'expiring:minor'],
      ['rsa-expired', 'expired:critical'],
      ['rsa-future', 'not_yet_valid:critical'],
      ['sm2-exp5', 'expiring:critical'],
      ['sm2-expired', 'expired:critical'],
      ['sm2-future', 'not_yet_valid:critical'],
      ['ec-exp20', 'expiring:major'],
    ]);
    const exp5 = rs[1]!;
    const elapsed = (now.getTime() - pki.createdAt.getTime()) / DAY;
    expect(exp5.daysLeft!).toBeCloseTo(5.5 - elapsed, 0);
    expect(rs[4]).toMatchObject({ verdict: 'invalid', invalidReason: 'expired' });
  });

  it('follows configured thresholds', async () => {
    const r = await one('rsa-exp5', { ...policy, expiry: { minorDays: 10, majorDays: 3, criticalDays: 1 } });
    expect(reasons(r)).toEqual(['expiring:minor']);
    expect(reasons(await one('rsa-exp60', { ...policy, expiry: { minorDays: 30, majorDays: 14, criticalDays: 3 } }))).toEqual([]);
  });

  describe('with re-issued intermediates', () => {
    let w: MutablePki;
    beforeAll(async () => {
      w = await pki.workingCopy();
      // Same name and key as rsa-int: an old expired copy, and a copy expiring in 20 days.
      await w.issue({ name: 'rsa-int-old', family: 'rsa', cn: '', ext: 'int_ext', issuer: 'root', reuseKey: 'rsa-int', startDays: -800, endDays: -100 });
      await w.issue({ name: 'rsa-int-short', family: 'rsa', cn: '', ext: 'int_ext', issuer: 'root', reuseKey: 'rsa-int', startDays: -300, endDays: 20.5 });
      await w.issue({ name: 'rsa-long', family: 'rsa', cn: 'rsa-long', ext: 'sign_ext', startDays: -1, endDays: 5000 });
    });
    afterAll(() => w.cleanup());
    const at = (names: string[], p: CertificatePolicy, when = now) =>
      inspectCertificates({ source: 'w', certificates: names.map((n) => ({ der: w.der(n), label: n })) }, p, { now: when });

    it('prefers the valid copy of a cross-certified intermediate: an unused expired copy does not count', async () => {
      const [leaf] = await at(['rsa-leaf'], { anchors: [w.path('rsa-root')], intermediates: [w.path('rsa-int-old'), w.path('rsa-int')] });
      expect(leaf!.chain.status).toBe('verified');
      expect(leaf!.chain.path[0]!.sha256).toBe((await at(['rsa-int'], {}))[0]!.sha256);
      expect(leaf!.chain.daysLeft!).toBeGreaterThan(3000);
      expect(leaf!.findings).toEqual([]);
    });

    it('reports an issuer expiring before the leaf as chain_expiring, graded by the chain\'s days left', async () => {
      const [leaf] = await at(['rsa-leaf'], { anchors: [w.path('rsa-root')], intermediates: [w.path('rsa-int-short')] });
      expect(leaf!.daysLeft!).toBeGreaterThan(300);
      expect(leaf!.chain.daysLeft!).toBeLessThan(21);
      expect(leaf!.chain.expiringSubject).toContain('Test RSA Intermediate');
      expect(reasons(leaf!)).toEqual(['chain_expiring:major']);
      // A certificate that goes before its CA is simply expiring: renewing it comes first.
      const [soon] = await at(['rsa-exp5'], { anchors: [w.path('rsa-root')], intermediates: [w.path('rsa-int-short')] });
      expect(reasons(soon!)).toEqual(['expiring:critical']);
      // When the intermediate is reported itself, its expiry is its own finding, not the leaf's.
      const [l2, int] = await at(['rsa-leaf', 'rsa-int-short'], { anchors: [w.path('rsa-root')] });
      expect(reasons(l2!)).toEqual([]);
      expect(reasons(int!)).toEqual(['expiring:major']);
    });

    it('fails the chain when the only issuer has expired while the leaf has not', async () => {
      const later = new Date(w.createdAt.getTime() + 3700 * DAY);
      const [leaf] = await at(['rsa-long'], { anchors: [w.path('rsa-root')], intermediates: [w.path('rsa-int')] }, later);
      expect(leaf!.chain).toMatchObject({ status: 'failed', error: 'issuer_expired' });
      expect(reasons(leaf!)).toEqual(['chain_invalid:major']);
    });
  });
});

describe('weak algorithms and selection', () => {
  it('flags SHA-1 signatures and RSA-1024 keys as minor, not on a root\'s own signature', async () => {
    const [sha1, short, ok] = await inspect(['rsa-sha1', 'rsa-1024', 'rsa-leaf']);
    expect(sha1!.weaknesses).toEqual(['sha1_signature']);
    expect(short!.weaknesses).toEqual(['rsa_1024']);
    expect(reasons(sha1!)).toEqual(['weak_algorithm:minor']);
    expect(sha1!.verdict).toBe('valid');
    expect(ok!.weaknesses).toEqual([]);
    expect((await one('rsa-1024', { ...policy, weak: { minRsaBits: 1024 } })).weaknesses).toEqual([]);
  });

  it('leafOnly and excludeRoot leave CA certificates out of the report but still use them for chains', async () => {
    const names = ['rsa-leaf', 'rsa-int', 'rsa-root'];
    expect((await inspect(names, { anchors: [pki.path('anchors')] })).map((r) => r.kind)).toEqual(['leaf', 'intermediate', 'root']);
    const noRoot = await inspect(names, { anchors: [pki.path('anchors')], excludeRoot: true });
    expect(noRoot.map((r) => r.kind)).toEqual(['leaf', 'intermediate']);
    const leaves = await inspect(names, { anchors: [pki.path('anchors')], leafOnly: true });
    expect(leaves.map((r) => [r.kind, r.chain.status])).toEqual([['leaf', 'verified']]);
  });
});
