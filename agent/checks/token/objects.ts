import { call, P11, type Pkcs11 } from './module.js';

/** A public certificate object as stored on the token. */
export interface TokenCertificate {
  der: Buffer;
  label: string;
  /** CKA_ID in hex: on dual-certificate keys it ties a certificate to its key pair / container. */
  id: string;
}

/** More than this on one token is not a USBKey or a certificate server's HSM slot: stop reading. */
const MAX_CERTIFICATES = 64;

/** Runs `fn` in a read-only session on `slot`, closing it afterwards. */
export function withSession<T>(lib: Pkcs11, slot: Buffer, fn: (session: Buffer) => T): T {
  const session = call('C_OpenSession', () => lib.C_OpenSession(slot, P11.CKF_SERIAL_SESSION));
  try {
    return fn(session);
  } finally {
    try {
      lib.C_CloseSession(session);
    } catch {
      // the token may have gone meanwhile; C_Finalize releases everything anyway
    }
  }
}

/** Handles of the objects matching `template`. */
export function findObjects(lib: Pkcs11, session: Buffer, template: pkcs11jsTemplate, max = MAX_CERTIFICATES): Buffer[] {
  call('C_FindObjectsInit', () => lib.C_FindObjectsInit(session, template));
  const found: Buffer[] = [];
  try {
    while (found.length < max) {
      const batch = call('C_FindObjects', () => lib.C_FindObjects(session, Math.min(16, max - found.length)));
      if (batch.length === 0) break;
      found.push(...batch);
    }
  } finally {
    try {
      lib.C_FindObjectsFinal(session);
    } catch {
      // nothing to release that C_Finalize will not
    }
  }
  return found;
}

type pkcs11jsTemplate = Parameters<Pkcs11['C_FindObjectsInit']>[1];

/**
 * The certificate objects a session without login can see: public ones only, which is all a USBKey shows before
 * the PIN. Reads CKA_VALUE (DER), CKA_LABEL and CKA_ID; never touches keys.
 */
export function readCertificates(lib: Pkcs11, session: Buffer): TokenCertificate[] {
  const handles = findObjects(lib, session, [{ type: P11.CKA_CLASS, value: P11.CKO_CERTIFICATE }]);
  const certificates: TokenCertificate[] = [];
  for (const handle of handles) {
    const attrs = call('C_GetAttributeValue', () =>
      lib.C_GetAttributeValue(session, handle, [{ type: P11.CKA_VALUE }, { type: P11.CKA_LABEL }, { type: P11.CKA_ID }]),
    );
    const value = (type: number) => attrs.find((a) => a.type === type)?.value ?? Buffer.alloc(0);
    const der = Buffer.from(value(P11.CKA_VALUE));
    if (der.length === 0) continue; // a certificate object without a value (some drivers' placeholders)
    certificates.push({ der, label: value(P11.CKA_LABEL).toString('utf8'), id: value(P11.CKA_ID).toString('hex') });
  }
  return certificates;
}
