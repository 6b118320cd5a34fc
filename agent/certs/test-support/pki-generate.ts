/**
 * Generates the test PKI with the openssl CLI: for RSA, ECDSA and SM2 a root, an intermediate CA (with an
 * `openssl ca` database, so CRLs and OCSP work) and leaves of every kind the tests need. Paths inside the CA
 * configs are relative, so a copy of the directory (a test's private working copy) works unchanged.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { asn1Time, caConfig, openssl, SM2_ID } from './openssl.js';

export type Family = 'rsa' | 'ec' | 'sm2';
export type Extension = 'int_ext' | 'sign_ext' | 'enc_ext' | 'server_ext' | 'ocsp_ext';

export interface LeafSpec {
  name: string;
  family: Family;
  cn: string;
  ext: Extension;
  /** Validity relative to the PKI's creation, in days. */
  startDays: number;
  endDays: number;
  /** Key override, e.g. 'rsa:1024'; default: the family's leaf key. */
  key?: string;
  /** Digest override, e.g. 'sha1'. */
  md?: string;
  /** SM2 only: sign with OpenSSL's empty distinguishing ID instead of 1234567812345678. */
  sm2EmptyId?: boolean;
  /** Extra config lines for the extension section (e.g. an OCSP URL in AIA). */
  extraExt?: string[];
  /** Which CA signs: the family intermediate (default) or root (for re-issued intermediates). */
  issuer?: 'int' | 'root';
  /** Re-certify the key (and CSR) of an existing certificate instead of making a new key: same name, same key. */
  reuseKey?: string;
}

const DAY = 86_400_000;

export const FAMILY = {
  rsa: { caKey: 'rsa:2048', leafKey: 'rsa:2048', md: 'sha256', title: 'RSA' },
  ec: { caKey: 'ec:P-384', leafKey: 'ec:P-256', md: 'sha384', title: 'ECDSA' },
  sm2: { caKey: 'sm2', leafKey: 'sm2', md: 'sm3', title: 'SM2' },
} as const;

/** The leaves issued by each family's intermediate; `-revoked` ones are revoked in the CRL. */
export const LEAVES: LeafSpec[] = [
  { name: 'rsa-leaf', family: 'rsa', cn: 'rsa-leaf', ext: 'sign_ext', startDays: -1, endDays: 365 },
  { name: 'rsa-exp5', family: 'rsa', cn: 'rsa-exp5', ext: 'sign_ext', startDays: -300, endDays: 5.5 },
  { name: 'rsa-exp20', family: 'rsa', cn: 'rsa-exp20', ext: 'sign_ext', startDays: -300, endDays: 20.5 },
  { name: 'rsa-exp60', family: 'rsa', cn: 'rsa-exp60', ext: 'sign_ext', startDays: -300, endDays: 60.5 },
  { name: 'rsa-expired', family: 'rsa', cn: 'rsa-expired', ext: 'sign_ext', startDays: -400, endDays: -30 },
  { name: 'rsa-future', family: 'rsa', cn: 'rsa-future', ext: 'sign_ext', startDays: 30, endDays: 400 },
  { name: 'rsa-sha1', family: 'rsa', cn: 'rsa-sha1', ext: 'sign_ext', startDays: -1, endDays: 365, md: 'sha1' },
  { name: 'rsa-1024', family: 'rsa', cn: 'rsa-1024', ext: 'sign_ext', startDays: -1, endDays: 365, key: 'rsa:1024' },
  { name: 'rsa-revoked', family: 'rsa', cn: 'rsa-revoked', ext: 'sign_ext', startDays: -1, endDays: 365 },
  { name: 'rsa-server', family: 'rsa', cn: 'localhost', ext: 'server_ext', startDays: -1, endDays: 365 },
  { name: 'rsa-ocsp', family: 'rsa', cn: 'Test RSA OCSP responder', ext: 'ocsp_ext', startDays: -1, endDays: 365 },
  { name: 'ec-leaf', family: 'ec', cn: 'ec-leaf', ext: 'sign_ext', startDays: -1, endDays: 365 },
  { name: 'ec-exp20', family: 'ec', cn: 'ec-exp20', ext: 'sign_ext', startDays: -300, endDays: 20.5 },
  { name: 'ec-expired', family: 'ec', cn: 'ec-expired', ext: 'sign_ext', startDays: -400, endDays: -30 },
  { name: 'ec-revoked', family: 'ec', cn: 'ec-revoked', ext: 'sign_ext', startDays: -1, endDays: 365 },
  { name: 'ec-ocsp', family: 'ec', cn: 'Test ECDSA OCSP responder', ext: 'ocsp_ext', startDays: -1, endDays: 365 },
  { name: 'sm2-sign', family: 'sm2', cn: 'sm2-holder', ext: 'sign_ext', startDays: -1, endDays: 365 },
  { name: 'sm2-enc', family: 'sm2', cn: 'sm2-holder', ext: 'enc_ext', startDays: -1, endDays: 365 },
  { name: 'sm2-exp5', family: 'sm2', cn: 'sm2-exp5', ext: 'sign_ext', startDays: -300, endDays: 5.5 },
  { name: 'sm2-expired', family: 'sm2', cn: 'sm2-expired', ext: 'sign_ext', startDays: -400, endDays: -30 },
  { name: 'sm2-future', family: 'sm2', cn: 'sm2-future', ext: 'sign_ext', startDays: 30, endDays: 400 },
  { name: 'sm2-revoked', family: 'sm2', cn: 'sm2-revoked', ext: 'sign_ext', startDays: -1, endDays: 365 },
  { name: 'sm2-emptyid', family: 'sm2', cn: 'sm2-emptyid', ext: 'sign_ext', startDays: -1, endDays: 365, sm2EmptyId: true },
  { name: 'sm2-ocsp', family: 'sm2', cn: 'Test SM2 OCSP responder', ext: 'ocsp_ext', startDays: -1, endDays: 365 },
];

async function genKey(dir: string, name: string, spec: string): Promise<void> {
  const out = `${name}.key`;
  if (spec.startsWith('rsa:')) await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${spec.slice(4)}`, '-out', out], dir);
  else if (spec.startsWith('ec:')) await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${spec.slice(3)}`, '-out', out], dir);
  else await openssl(['genpkey', '-algorithm', 'SM2', '-out', out], dir);
  // PKCS#8 DER, ready for `pkcs11-tool --write-object --type privkey` (the token tests import these).
  await openssl(['pkcs8', '-topk8', '-nocrypt', '-in', out, '-outform', 'DER', '-out', `${name}.p8.der`], dir);
}

const sm2Sign = (family: Family) => (family === 'sm2' ? ['-sigopt', SM2_ID] : []);
const sm2Verify = (family: Family) => (family === 'sm2' ? ['-vfyopt', SM2_ID] : []);

/** Writes <name>.der next to <name>.pem (the PEM block only; `openssl ca` output may hold text too). */
export async function writeDer(dir: string, name: string): Promise<void> {
  const pem = await readFile(path.join(dir, `${name}.pem`), 'utf8');
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new Error(`${name}.pem holds no certificate`);
  await writeFile(path.join(dir, `${name}.der`), Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

async function makeCaDir(dir: string, family: Family, ca: 'root' | 'int'): Promise<string> {
  const rel = `ca/${family}-${ca}`;
  await mkdir(path.join(dir, rel, 'newcerts'), { recursive: true });
  await writeFile(path.join(dir, rel, 'index.txt'), '');
  // Different serial ranges per CA keep serials unique across the PKI, which makes failures easier to read.
  await writeFile(path.join(dir, rel, 'serial'), ca === 'root' ? '10\n' : `${family === 'rsa' ? '1000' : family === 'ec' ? '2000' : '3000'}\n`);
  await writeFile(path.join(dir, rel, 'crlnumber'), '01\n');
  const md = ca === 'root' || family !== 'ec' ? FAMILY[family].md : 'sha256';
  await writeFile(path.join(dir, `${rel}.cnf`), caConfig(`./${rel}`, `./${family}-${ca}.pem`, `./${family}-${ca}.key`, md));
  return `${rel}.cnf`;
}

/** Issues one leaf from the family's intermediate CA. `createdAt` anchors the relative validity. */
export async function issueLeaf(dir: string, spec: LeafSpec, createdAt: Date): Promise<void> {
  const f = spec.family;
  const csr = spec.reuseKey ? `${spec.reuseKey}.csr` : `${spec.name}.csr`;
  if (!spec.reuseKey) {
    await genKey(dir, spec.name, spec.key ?? FAMILY[f].leafKey);
    await openssl(['req', '-new', '-key', `${spec.name}.key`, '-subj', `/O=Guardpost Test/CN=${spec.cn}`, ...(f === 'sm2' ? ['-sm3', ...sm2Sign(f)] : []), '-out', csr], dir);
  }
  let config = `ca/${f}-${spec.issuer ?? 'int'}.cnf`;
  if (spec.extraExt?.length) {
    const base = await readFile(path.join(dir, config), 'utf8');
    config = `ca/${f}-${spec.issuer ?? 'int'}-${spec.name}.cnf`;
    const section = new RegExp(`\\[ ${spec.ext} \\]\\n`);
    await writeFile(path.join(dir, config), base.replace(section, `[ ${spec.ext} ]\n${spec.extraExt.join('\n')}\n`));
  }
  const at = (days: number) => asn1Time(new Date(createdAt.getTime() + days * DAY));
  await openssl(
    [
      'ca', '-batch', '-notext', '-config', config, '-extensions', spec.ext, '-startdate', at(spec.startDays), '-enddate', at(spec.endDays),
      ...(spec.md ? ['-md', spec.md] : []), ...(spec.sm2EmptyId ? [] : sm2Sign(f)), ...sm2Verify(f), '-in', csr, '-out', `${spec.name}.pem`,
    ],
    dir,
  );
  await writeDer(dir, spec.name);
}

/** Root (self-signed) and intermediate of one family, then its leaves, revocations and CRL. */
export async function generateFamily(dir: string, family: Family, createdAt: Date): Promise<void> {
  const fam = FAMILY[family];
  const root = `${family}-root`;
  const int = `${family}-int`;
  await genKey(dir, root, fam.caKey);
  await openssl(
    [
      'req', '-x509', '-new', '-key', `${root}.key`, `-${fam.md}`, ...sm2Sign(family), '-days', '7300',
      // A serial whose first byte has the high bit set: DER adds a 00 byte, which the engine keeps.
      '-set_serial', family === 'rsa' ? '0x8F1E2D3C4B5A6978' : family === 'ec' ? '0x0A1B2C' : '0x51',
      '-subj', `/C=CN/O=Guardpost Test/CN=Test ${fam.title} Root`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-out', `${root}.pem`,
    ],
    dir,
  );
  await writeDer(dir, root);
  const rootCnf = await makeCaDir(dir, family, 'root');
  await genKey(dir, int, fam.caKey);
  await openssl(['req', '-new', '-key', `${int}.key`, ...(family === 'sm2' ? ['-sm3', ...sm2Sign(family)] : []), '-subj', `/C=CN/O=Guardpost Test/CN=Test ${fam.title} Intermediate`, '-out', `${int}.csr`], dir);
  await openssl(
    ['ca', '-batch', '-notext', '-config', rootCnf, '-extensions', 'int_ext', '-startdate', asn1Time(new Date(createdAt.getTime() - DAY)), '-enddate', asn1Time(new Date(createdAt.getTime() + 3650 * DAY)), ...sm2Sign(family), ...sm2Verify(family), '-in', `${int}.csr`, '-out', `${int}.pem`],
    dir,
  );
  await writeDer(dir, int);
  await makeCaDir(dir, family, 'int');
  for (const spec of LEAVES.filter((l) => l.family === family)) await issueLeaf(dir, spec, createdAt);
  await revoke(dir, `${family}-revoked`, 'keyCompromise');
  await generateCrl(dir, family, 30 * 24);
}

export async function revoke(dir: string, name: string, reason = 'keyCompromise'): Promise<void> {
  const family = name.split('-')[0] as Family;
  await openssl(['ca', '-config', `ca/${family}-int.cnf`, '-revoke', `${name}.pem`, '-crl_reason', reason], dir);
}

/** Writes <family>-int.crl.pem with nextUpdate `hours` from now; returns its path. */
export async function generateCrl(dir: string, family: Family, hours: number): Promise<string> {
  const out = `${family}-int.crl.pem`;
  await openssl(['ca', '-config', `ca/${family}-int.cnf`, '-gencrl', '-crlhours', String(hours), ...sm2Sign(family), '-out', out], dir);
  return path.join(dir, out);
}

/** Bundles and containers: a PEM chain, a PKCS#7 chain, and PKCS#12 files in current and legacy encryption. */
export async function generateContainers(dir: string): Promise<void> {
  const cat = async (out: string, names: string[]) =>
    writeFile(path.join(dir, out), (await Promise.all(names.map((n) => readFile(path.join(dir, `${n}.pem`), 'utf8')))).join(''));
  await cat('rsa-chain.pem', ['rsa-leaf', 'rsa-int', 'rsa-root']);
  await cat('rsa-int-root.pem', ['rsa-int', 'rsa-root']);
  await cat('anchors.pem', ['rsa-root', 'ec-root', 'sm2-root']);
  await cat('intermediates.pem', ['rsa-int', 'ec-int', 'sm2-int']);
  await openssl(['crl2pkcs7', '-nocrl', '-certfile', 'rsa-chain.pem', '-outform', 'DER', '-out', 'rsa-chain.p7b'], dir);
  const p12 = (out: string, name: string, extra: string[]) =>
    openssl(['pkcs12', '-export', '-in', `${name}.pem`, '-inkey', `${name}.key`, '-name', name, '-out', out, ...extra], dir);
  await p12('rsa-leaf.p12', 'rsa-leaf', ['-certfile', 'rsa-int-root.pem', '-passout', 'pass:secret']);
  await p12('rsa-leaf-legacy.p12', 'rsa-leaf', ['-legacy', '-passout', 'pass:secret']);
  await p12('rsa-leaf-3des.p12', 'rsa-leaf', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-passout', 'pass:secret']);
  await p12('ec-leaf.p12', 'ec-leaf', ['-passout', 'pass:secret']);
  await p12('sm2-sign.p12', 'sm2-sign', ['-certfile', 'sm2-enc.pem', '-passout', 'pass:secret']);
  await p12('rsa-nopass.p12', 'rsa-leaf', ['-passout', 'pass:']);
}
