import { readFile, stat } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { parseCertificate, type ParsedCertificate } from './parse-certificate.js';
import { parseCertificateSource } from './source.js';
import type { SourceProblem } from './types.js';

export interface LoadedCertificates {
  certificates: ParsedCertificate[];
  problems: SourceProblem[];
}

const memo = new Map<string, { mtimeMs: number; size: number; loaded: LoadedCertificates }>();

/**
 * Reads anchor or intermediate bundles (PEM, DER, PKCS#7), re-parsing a file only when it changes. A file that
 * cannot be read or parsed is a problem naming the file and offset, so a broken anchor file shows up as
 * CERT_UNPARSABLE on that file instead of every chain quietly failing.
 */
export async function loadCertificateFiles(files: string[]): Promise<LoadedCertificates> {
  const out: LoadedCertificates = { certificates: [], problems: [] };
  for (const file of files) {
    let loaded: LoadedCertificates;
    try {
      const st = await stat(file);
      const m = memo.get(file);
      if (m && m.mtimeMs === st.mtimeMs && m.size === st.size) {
        loaded = m.loaded;
      } else {
        loaded = parseFile(new Uint8Array(await readFile(file)), file);
        memo.set(file, { mtimeMs: st.mtimeMs, size: st.size, loaded });
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      loaded = { certificates: [], problems: [{ source: file, kind: 'read_failed', message: `cannot read: ${code}` }] };
    }
    out.certificates.push(...loaded.certificates);
    out.problems.push(...loaded.problems);
  }
  return out;
}

function parseFile(bytes: Uint8Array, file: string): LoadedCertificates {
  const src = parseCertificateSource(bytes, file);
  const out: LoadedCertificates = { certificates: [], problems: [...src.problems] };
  for (const c of src.certificates) {
    try {
      out.certificates.push(parseCertificate(c.der));
    } catch (err) {
      const offset = (err as { offset?: number }).offset;
      out.problems.push({ source: file, kind: 'bad_der', message: (err as Error).message, offset: c.encoding === 'der' && offset !== undefined ? (c.offset ?? 0) + offset : c.offset });
    }
  }
  return out;
}

let system: ParsedCertificate[] | undefined;

/** Node's built-in Mozilla root store, parsed once on first use. */
export function systemAnchors(): ParsedCertificate[] {
  if (!system) {
    system = [];
    for (const pem of rootCertificates) {
      const src = parseCertificateSource(new Uint8Array(Buffer.from(pem, 'latin1')), 'node:tls rootCertificates');
      for (const c of src.certificates) {
        try {
          system.push(parseCertificate(c.der));
        } catch {
          // a root Node ships but the parser refuses is skipped, never fatal
        }
      }
    }
  }
  return system;
}
