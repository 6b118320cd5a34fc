import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import tls, { type SecureContext } from 'node:tls';

/** How a TLS server is trusted, with defaults filled: the system store, a CA file, or pinned keys. */
export interface TrustSettings {
  mode: 'system' | 'caFile' | 'pin';
  caFile: string;
  pins: string[];
  serverName: string;
}

/** Where Linux distributions (Debian, UOS, Kylin: Debian-style; RHEL-style) keep the system CA bundle. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];

/**
 * PEM text of trusted CAs, read lazily and reloaded when the file changes (a renewed private CA needs no restart).
 * A file that cannot be read throws an error naming the file and the setting.
 */
export class CaStore {
  private readonly cache = new Map<string, { mtimeMs: number; size: number; pem: string }>();
  private system: string[] | undefined;
  /** One TLS context per CA text: building one parses every CA (about 290 for the system store) and costs more than the probe. */
  private readonly contexts = new Map<string | string[] | undefined, SecureContext>();

  /** CA PEMs for `trust`; undefined means Node's defaults (pin mode checks the key, not the chain). */
  caFor(trust: TrustSettings, where: string): string | string[] | undefined {
    if (trust.mode === 'caFile') return this.file(trust.caFile, `${where}.trust.caFile`);
    if (trust.mode === 'system') return this.systemStore();
    return undefined;
  }

  /** The TLS client context for `trust`, built once per CA text and rebuilt only when a CA file changes. */
  contextFor(trust: TrustSettings, where: string): SecureContext {
    const ca = this.caFor(trust, where);
    let context = this.contexts.get(ca);
    if (!context) {
      if (trust.mode === 'caFile') this.forgetReplacedFiles();
      context = tls.createSecureContext(ca ? { ca } : {});
      this.contexts.set(ca, context);
    }
    return context;
  }

  /** Drops the contexts of CA file texts no file holds any more (the file changed), so a renewal leaks nothing. */
  private forgetReplacedFiles(): void {
    const current = new Set([...this.cache.values()].map((hit) => hit.pem));
    for (const key of this.contexts.keys()) if (typeof key === 'string' && !current.has(key)) this.contexts.delete(key);
  }

  private file(path: string, where: string): string {
    if (!path) throw new Error(`${where}: empty; trust mode "caFile" needs the path of a PEM file`);
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      throw new Error(`${where}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const hit = this.cache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.pem;
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${where}: ${path} holds no PEM certificate`);
    this.cache.set(path, { mtimeMs: st.mtimeMs, size: st.size, pem });
    return pem;
  }

  /** Node's bundled roots plus the operating system's bundle, where the platform's private CA is usually installed. */
  private systemStore(): string[] {
    if (this.system) return this.system;
    const extra: string[] = [];
    const getCA = (tls as unknown as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
    if (getCA) extra.push(...getCA('system'));
    else {
      for (const p of SYSTEM_BUNDLES) {
        try {
          extra.push(readFileSync(p, 'utf8'));
          break;
        } catch {
          // not this distribution's layout
        }
      }
    }
    this.system = [...tls.rootCertificates, ...extra];
    return this.system;
  }
}

/**
 * "sha256/<base64>" of a certificate's SubjectPublicKeyInfo (as in HPKP): the pin format of the endpoints'
 * `trust.pins` and of desk.pins. Takes a certificate as X509Certificate, DER or PEM.
 */
export function spkiPin(cert: X509Certificate | Buffer | string): string {
  const x = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}
