import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findDerError } from './der.js';
import { certificateResults, certificateRules, inspectCertificates } from './index.js';
import { parseCertificateSource } from './source.js';
import { getTestPki, type TestPki } from './test-support/pki.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await getTestPki();
});
const bytes = (file: string) => new Uint8Array(readFileSync(`${pki.dir}/${file}`));
const hexOf = (der: Uint8Array) => Buffer.from(der).toString('hex');

describe('parseCertificateSource', () => {
  it('reads PEM bundles, DER, concatenated DER and PKCS#7 chains in order', () => {
    const chain = ['rsa-leaf', 'rsa-int', 'rsa-root'].map((n) => hexOf(pki.der(n)));
    const pem = parseCertificateSource(bytes('rsa-chain.pem'), 'rsa-chain.pem');
    expect(pem).toMatchObject({ format: 'pem', problems: [] });
    expect(pem.certificates.map((c) => hexOf(c.der))).toEqual(chain);
    const p7b = parseCertificateSource(bytes('rsa-chain.p7b'), 'rsa-chain.p7b');
    expect(p7b.format).toBe('pkcs7');
    expect(p7b.certificates.map((c) => hexOf(c.der))).toEqual(chain);
    const der = parseCertificateSource(bytes('sm2-sign.der'), 'sm2-sign.der');
    expect(der.certificates.map((c) => hexOf(c.der))).toEqual([hexOf(pki.der('sm2-sign'))]);
    const two = new Uint8Array([...pki.der('ec-leaf'), ...pki.der('ec-int')]);
    const cat = parseCertificateSource(two, 'two.der');
    expect(cat.certificates.map((c) => c.offset)).toEqual([0, pki.der('ec-leaf').length]);
  });

  it('skips private keys unread, keeping the certificates of a PEM file that holds both', () => {
    const mixed = new Uint8Array(Buffer.concat([readFileSync(pki.path('rsa-leaf', 'key')), readFileSync(pki.path('rsa-leaf'))]));
    const src = parseCertificateSource(mixed, 'mixed.pem');
    expect(src.certificates).toHaveLength(1);
    expect(src.skipped).toBe(1);
    const keyOnly = parseCertificateSource(new Uint8Array(readFileSync(pki.path('rsa-leaf', 'key'))), 'key.pem');
    expect(keyOnly.problems).toEqual([{ source: 'key.pem', kind: 'empty', message: 'no certificate among 1 PEM block(s) (keys and CRLs are skipped)', offset: 0 }]);
  });

  it('opens PKCS#12 with AES (OpenSSL 3), 3DES and RC2-40 (legacy/Windows) encryption, for RSA, EC and SM2 keys', () => {
    const leaf = hexOf(pki.der('rsa-leaf'));
    for (const file of ['rsa-leaf.p12', 'rsa-leaf-3des.p12', 'rsa-leaf-legacy.p12']) {
      const src = parseCertificateSource(bytes(file), file, 'secret');
      expect(src.problems, file).toEqual([]);
      expect(src.certificates.map((c) => hexOf(c.der))).toContain(leaf);
      expect(src.certificates.find((c) => hexOf(c.der) === leaf)!.label).toBe('rsa-leaf');
    }
    expect(parseCertificateSource(bytes('rsa-leaf.p12'), 'x', 'secret').certificates).toHaveLength(3); // leaf + chain
    const ec = parseCertificateSource(bytes('ec-leaf.p12'), 'ec-leaf.p12', 'secret');
    expect(ec.certificates.map((c) => hexOf(c.der))).toEqual([hexOf(pki.der('ec-leaf'))]);
    expect(ec.certificates[0]!.id).toMatch(/^[0-9a-f]{40}$/); // localKeyId
    const sm2 = parseCertificateSource(bytes('sm2-sign.p12'), 'sm2-sign.p12', 'secret');
    expect(sm2.certificates.map((c) => hexOf(c.der)).sort()).toEqual([hexOf(pki.der('sm2-sign')), hexOf(pki.der('sm2-enc'))].sort());
    expect(parseCertificateSource(bytes('rsa-nopass.p12'), 'rsa-nopass.p12').certificates).toHaveLength(1);
  });

  it('tells a wrong or missing PKCS#12 password from a damaged file', () => {
    expect(parseCertificateSource(bytes('rsa-leaf.p12'), 'a.p12', 'wrong').problems).toMatchObject([{ kind: 'bad_password', source: 'a.p12' }]);
    expect(parseCertificateSource(bytes('rsa-leaf.p12'), 'a.p12').problems[0]!.message).toBe('the PKCS#12 file needs a password');
    const cut = bytes('rsa-leaf.p12').subarray(0, 600);
    expect(parseCertificateSource(cut, 'cut.p12', 'secret').problems[0]!.kind).toBe('bad_pkcs12');
  });

  it('names the source and byte offset of broken input', () => {
    const der = pki.der('rsa-leaf');
    const truncated = der.subarray(0, 500);
    expect(findDerError(truncated)).toMatchObject({ offset: 0 });
    const inner = new Uint8Array(der);
    inner[4 + 4 + 5] = 0x7f; // a length byte inside tbsCertificate
    expect(findDerError(inner)!.offset).toBeGreaterThan(0);
    expect(parseCertificateSource(new TextEncoder().encode('hello'), 'hello.txt').problems).toEqual([
      { source: 'hello.txt', kind: 'bad_der', message: 'neither PEM nor DER (a DER file starts with byte 0x30)', offset: 0 },
    ]);
    const pem = readFileSync(pki.path('ec-leaf'), 'latin1');
    const broken = pem.slice(0, 100) + '*' + pem.slice(101);
    expect(parseCertificateSource(new Uint8Array(Buffer.from(broken, 'latin1')), 'ec.pem').problems).toEqual([
      { source: 'ec.pem', kind: 'bad_pem', message: 'invalid base64 character "*" in PEM block "CERTIFICATE"', offset: 100 },
    ]);
    const noEnd = pem.slice(0, 200);
    expect(parseCertificateSource(new Uint8Array(Buffer.from('junk\n' + noEnd)), 'noend.pem').problems[0]).toMatchObject({ kind: 'bad_pem', offset: 5 });
    expect(parseCertificateSource(new Uint8Array(0), 'empty.pem').problems[0]!.kind).toBe('empty');
  });

  it('turns broken certificates into CERT_UNPARSABLE results naming the source and the file offset', async () => {
    const good = pki.der('ec-leaf');
    const bad = new Uint8Array(pki.der('ec-int'));
    bad[10] = 0xff; // breaks a length inside the second certificate
    const file = new Uint8Array([...good, ...bad.subarray(0, 400)]);
    const src = parseCertificateSource(file, '/etc/certs/two.der');
    const reports = await inspectCertificates({ source: '/etc/certs/two.der', certificates: src.certificates, problems: src.problems }, {}, { now: new Date() });
    const results = certificateResults(reports);
    const unparsable = results.filter((r) => r.reason === 'unparsable');
    expect(unparsable).toHaveLength(1);
    expect(Number(unparsable[0]!.evidence.offset)).toBeGreaterThanOrEqual(good.length);
    expect(unparsable[0]!.message.en).toContain('/etc/certs/two.der');
    expect(unparsable[0]!.message.en).toMatch(/at byte \d+/);
    expect(certificateRules(unparsable[0]!, {})).toEqual({ code: 'CERT_UNPARSABLE', severity: 'major' });
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
  });
});
