import { readFileSync } from 'node:fs';
import type { DeskConfig } from '../core/config/schema.js';
import type { Secret } from '../core/config/secret.js';

/** What the TLS session to the desk needs, read fresh at each connect so renewed certificates take effect. */
export interface TlsMaterial {
  ca?: Buffer;
  cert: Buffer;
  key: Buffer;
  passphrase?: string;
  pins: string[];
}

/** Problems with the desk section that no retry can fix: reported once, as configuration errors. */
export function deskConfigProblems(desk: DeskConfig): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (!desk.url) out.push({ path: 'desk.url', message: 'missing; required when desk.enabled is true' });
  if (!desk.caFile && !(desk.pins && desk.pins.length)) {
    out.push({ path: 'desk.caFile', message: 'set desk.caFile or desk.pins: the desk must be verified, there is no option to skip it' });
  }
  if (!desk.certFile) out.push({ path: 'desk.certFile', message: "missing: the agent's client certificate (guardpost desk issue makes one)" });
  if (!desk.keyFile) out.push({ path: 'desk.keyFile', message: "missing: the agent's private key" });
  return out;
}

export function loadTlsMaterial(desk: DeskConfig): TlsMaterial {
  const read = (path: string | undefined, what: string): Buffer => {
    try {
      return readFileSync(path!);
    } catch (err) {
      throw new Error(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const passphrase = desk.keyPassphrase as unknown as Secret | undefined;
  return {
    ...(desk.caFile ? { ca: read(desk.caFile, 'desk.caFile') } : {}),
    cert: read(desk.certFile, 'desk.certFile'),
    key: read(desk.keyFile, 'desk.keyFile'),
    ...(passphrase ? { passphrase: passphrase.reveal() } : {}),
    pins: desk.pins ?? [],
  };
}
