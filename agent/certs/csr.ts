import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the polyfill loaded first
import * as x509 from '@peculiar/x509';
import { KeyObject, webcrypto } from 'node:crypto';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/**
 * The terminal's own key pair and a certificate request for it (PKCS#10, CN = agent id). The private key is made
 * here and never leaves the terminal; the desk signs only the public half. ECDSA P-256, like the desk's own PKI.
 */
export async function createKeyAndCsr(agentId: string): Promise<{ keyPem: string; csrPem: string }> {
  x509.cryptoProvider.set(webcrypto as never);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${agentId}`, keys, signingAlgorithm: ALG });
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { keyPem, csrPem: csr.toString('pem') };
}
