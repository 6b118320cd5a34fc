/**
 * Bench tool: thousands of agent client certificates in well under a second. One certificate is issued properly
 * (desk/pki.ts) as a template; the others are the same TBSCertificate with the CN bytes replaced (same length) and
 * signed again with the desk CA key. All share one key pair — fine for load, not for anything real.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueAgentCert } from '../../desk/pki.js';

interface Tlv {
  start: number;
  end: number;
}

/** The TLV at `at` in a DER buffer: where it starts and ends. */
function tlv(der: Buffer, at: number): Tlv {
  let len = der[at + 1]!;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
    header = 2 + n;
  }
  return { start: at, end: at + header + len };
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const wrap = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);

export interface SimCert {
  id: string;
  cert: Buffer;
}

/** Agent ids `${prefix}${i}` padded to one width, each with its certificate (PEM); the shared key is `key`. */
export async function makeAgentCerts(deskDir: string, prefix: string, count: number): Promise<{ key: Buffer; ca: Buffer; certs: SimCert[] }> {
  const caPem = readFileSync(join(deskDir, 'ca.pem'), 'utf8');
  const caKeyPem = readFileSync(join(deskDir, 'ca.key'), 'utf8');
  const width = String(count - 1).length;
  const id = (i: number) => `${prefix}${String(i).padStart(width, '0')}`;
  const template = await issueAgentCert({ certPem: caPem, keyPem: caKeyPem }, id(0), 30);
  const der = Buffer.from(template.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
  const tbs = tlv(der, der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2);
  const sigAlg = tlv(der, tbs.end);
  const tbsBytes = der.subarray(tbs.start, tbs.end);
  const sigAlgBytes = der.subarray(sigAlg.start, sigAlg.end);
  const cn = Buffer.from(id(0));
  const at = tbsBytes.indexOf(cn);
  if (at < 0) throw new Error('template certificate: CN not found');
  const caKey = createPrivateKey(caKeyPem);
  const certs: SimCert[] = [];
  for (let i = 0; i < count; i++) {
    const body = Buffer.from(tbsBytes);
    Buffer.from(id(i)).copy(body, at);
    const sig = sign('sha256', body, caKey);
    const cert = wrap(0x30, Buffer.concat([body, sigAlgBytes, wrap(0x03, Buffer.concat([Buffer.from([0]), sig]))]));
    const lines = cert.toString('base64').match(/.{1,64}/g)!.join('\n');
    certs.push({ id: id(i), cert: Buffer.from(`-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`) });
  }
  return { key: Buffer.from(template.keyPem), ca: Buffer.from(caPem), certs };
}
