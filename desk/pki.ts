import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the polyfill loaded first
import * as x509 from '@peculiar/x509';
import { createPrivateKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * The desk's small PKI, made with Web Crypto (ECDSA P-256, SHA-256): its own CA, the server certificate agents
 * verify, and agent client certificates issued by hand until enrollment is automated.
 * The CA signs nothing else; agents pin this CA (or the server key) rather than any public web certificate.
 */
const subtle = webcrypto.subtle;
x509.cryptoProvider.set(webcrypto as never);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  certPem: string;
  keyPem: string;
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

function keyPem(key: webcrypto.CryptoKey, passphrase?: string): string {
  const k = KeyObject.from(key);
  return (passphrase ? k.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) : k.export({ type: 'pkcs8', format: 'pem' })) as string;
}

/** A positive 128-bit serial, hex. */
function serial(): string {
  const b = randomBytes(16);
  b[0]! &= 0x7f;
  b[0]! |= 0x01;
  return b.toString('hex');
}

const validity = (days: number) => ({ notBefore: new Date(Date.now() - 5 * 60_000), notAfter: new Date(Date.now() + days * DAY) });

/** CN and O, escaped for an X.500 name string. */
function dn(cn: string, o = 'Guardpost'): string {
  const esc = (s: string) => s.replace(/([,+"\\<>;=#])/g, '\\$1');
  return `CN=${esc(cn)}, O=${esc(o)}`;
}

export async function createCa(name: string, days = 3650): Promise<Issued> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: dn(name),
    ...validity(days),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: keyPem(keys.privateKey) };
}

interface IssueOptions {
  ca: Issued;
  subject: string;
  days: number;
  usage: 'server' | 'client';
  names?: string[];
  passphrase?: string;
}

/** Signs a certificate for `publicKey` with the CA. */
async function sign(o: Omit<IssueOptions, 'passphrase'>, publicKey: webcrypto.CryptoKey): Promise<x509.X509Certificate> {
  const caCert = new x509.X509Certificate(o.ca.certPem);
  const der = createPrivateKey(o.ca.keyPem).export({ type: 'pkcs8', format: 'der' });
  const caKey = await subtle.importKey('pkcs8', der, ALG, false, ['sign']);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([o.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  if (o.names?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(o.names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n }))));
  }
  return x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: dn(o.subject),
    issuer: caCert.subject,
    ...validity(o.days),
    signingKey: caKey,
    publicKey,
    signingAlgorithm: ALG,
    extensions,
  });
}

async function issue(o: IssueOptions): Promise<Issued> {
  const keys = await newKeys();
  const cert = await sign(o, keys.publicKey);
  return { certPem: cert.toString('pem'), keyPem: keyPem(keys.privateKey, o.passphrase) };
}

/** An issued certificate's record: its serial (lower-case hex) and end of validity. */
export function certFacts(certPem: string): { serial: string; notAfter: string; subject: string } {
  const cert = new x509.X509Certificate(certPem);
  const cn = /CN=([^,]+)/.exec(cert.subject)?.[1] ?? '';
  return { serial: cert.serialNumber.toLowerCase(), notAfter: cert.notAfter.toISOString(), subject: cn };
}

export class CsrError extends Error {}

/**
 * A client certificate for an agent's certificate request (PKCS#10, PEM): the request's signature must verify
 * (the agent holds the key), its key must be ECDSA P-256, and its CN is the agent id. The private key never
 * leaves the agent.
 */
export async function issueFromCsr(ca: Issued, csrPem: string, days: number): Promise<{ agentId: string; certPem: string }> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw new CsrError(`the certificate request is not a PKCS#10 PEM: ${(err as Error).message}`);
  }
  if (!(await csr.verify())) throw new CsrError('the certificate request is not signed by its own key');
  const agentId = /^CN=([A-Za-z0-9_.-]{1,128})$/.exec(csr.subject)?.[1];
  if (!agentId) throw new CsrError(`the request's subject must be CN=<agent id> (1–128 letters, digits, _ . -), not "${csr.subject}"`);
  let publicKey: webcrypto.CryptoKey;
  try {
    publicKey = await csr.publicKey.export(ALG, ['verify']);
  } catch {
    throw new CsrError('the request\'s key must be ECDSA P-256');
  }
  const cert = await sign({ ca, subject: agentId, days, usage: 'client' }, publicKey);
  return { agentId, certPem: cert.toString('pem') };
}

/** The desk's server certificate; its PEM carries the CA too, so agents that pin only the CA key find it in the chain. */
export async function issueServerCert(ca: Issued, names: string[], days = 825): Promise<Issued> {
  const leaf = await issue({ ca, subject: names[0] ?? 'guardpost-desk', days, usage: 'server', names });
  return { certPem: `${leaf.certPem.trim()}\n${ca.certPem.trim()}\n`, keyPem: leaf.keyPem };
}

/** An agent's client certificate: CN = agent id, which the desk matches against the agent's hello. */
export async function issueAgentCert(ca: Issued, agentId: string, days = 825, passphrase?: string): Promise<Issued> {
  return issue({ ca, subject: agentId, days, usage: 'client', ...(passphrase ? { passphrase } : {}) });
}
