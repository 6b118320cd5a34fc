import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  certificateResults,
  inspectCertificates,
  parseCertificateSource,
  type CertificateReport,
  type ParsedSource,
  type SourceProblem,
} from '../../certs/index.js';
import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import { isSecret, type Secret } from '../../core/config/secret.js';
import { resolveSecretRef } from '../../core/config/secrets.js';
import { findFiles, splitGlobPath } from '../shared/find-files.js';
import { throwIfAborted } from '../shared/result.js';
import { CERT_DEFAULTS, type CertConfig } from './schema.js';
import { compareText } from '../../core/text.js';

type PasswordRef = Secret | { env?: string; file?: string } | null;

interface SourceFile {
  file: string;
  /** The configured entry it came from (for a glob that matched nothing). */
  entry: string;
  password: PasswordRef;
}

/**
 * Expands the configured files and globs. A plain path is kept even when missing (it is then reported unreadable);
 * a glob matching nothing is a problem of its own, since the certificates it was meant to find are gone.
 */
async function expand(c: CertConfig, signal: AbortSignal): Promise<{ files: SourceFile[]; problems: SourceProblem[] }> {
  const maxFiles = c.maxFiles ?? CERT_DEFAULTS.maxFiles;
  const maxDepth = c.maxDepth ?? CERT_DEFAULTS.maxDepth;
  const files = new Map<string, SourceFile>();
  const problems: SourceProblem[] = [];
  const entries: { entry: string; password: PasswordRef }[] = [
    ...(c.pkcs12 ?? []).map((p) => ({ entry: p.path, password: p.password as PasswordRef })),
    ...c.files.map((f) => ({ entry: f, password: null })),
  ];
  for (const { entry, password } of entries) {
    throwIfAborted(signal);
    const { base, pattern } = splitGlobPath(entry);
    if (!pattern) {
      const file = path.resolve(entry);
      if (!files.has(file)) files.set(file, { file, entry, password });
      continue;
    }
    const found = await findFiles(base, pattern, { maxDepth, maxEntries: 20_000, signal }).catch(() => ({ files: [], truncated: false }));
    if (found.files.length === 0) problems.push({ source: entry, kind: 'read_failed', message: `no file matches ${entry}` });
    for (const f of found.files.sort((a, b) => compareText(a.path, b.path))) {
      if (!files.has(f.path)) files.set(f.path, { file: f.path, entry, password });
    }
  }
  const list = [...files.values()];
  if (list.length > maxFiles) {
    problems.push({ source: c.files.join(', '), kind: 'read_failed', message: `${list.length} files match; only the first ${maxFiles} (maxFiles) are read` });
  }
  return { files: list.slice(0, maxFiles), problems };
}

function reveal(ref: PasswordRef, where: string): string | null | { error: string } {
  if (ref === null || ref === undefined) return null;
  if (isSecret(ref)) return ref.reveal();
  // Tests and `guardpost check` on a raw config may hand the reference unresolved.
  const r = resolveSecretRef(ref, where, { env: process.env, checkFileMode: process.platform !== 'win32' });
  return isSecret(r) ? r.reveal() : { error: r.message };
}

async function readSource(f: SourceFile, maxBytes: number): Promise<ParsedSource> {
  const fail = (kind: SourceProblem['kind'], message: string): ParsedSource => ({ certificates: [], problems: [{ source: f.file, kind, message }], format: 'unknown', skipped: 0 });
  try {
    const st = await stat(f.file);
    if (!st.isFile()) return fail('read_failed', 'not a regular file');
    if (st.size > maxBytes) return fail('read_failed', `${st.size} bytes is more than maxFileBytes (${maxBytes})`);
    const password = reveal(f.password, `pkcs12 password for ${f.entry}`);
    if (password !== null && typeof password === 'object') return fail('bad_password', password.error);
    return parseCertificateSource(new Uint8Array(await readFile(f.file)), f.file, password);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return fail('read_failed', `cannot read: ${code}`);
  }
}

/**
 * The file-source certificate check: reads every configured file (public material only; a PKCS#12 container is
 * opened with its password just to get at its certificate bags), then hands each file to the certificate engine.
 * The other files' certificates serve as intermediates, so a chain split over several files still verifies.
 */
export function createCertProbe(config: CertConfig, ctx: ProbeContext): Probe {
  const cacheDir = path.join(ctx.stateDir ?? ctx.platform.paths().stateDir, 'cert-cache');
  return {
    async run(signal) {
      const started = performance.now();
      const now = ctx.now();
      const { files, problems } = await expand(config, signal);
      const sources = [];
      for (const f of files) sources.push({ file: f.file, parsed: await readSource(f, config.maxFileBytes ?? CERT_DEFAULTS.maxFileBytes) });
      const reports: CertificateReport[] = [];
      if (problems.length) reports.push(...(await inspectCertificates({ source: 'cert', certificates: [], problems }, config.policy ?? {}, { now, signal })));
      for (const s of sources) {
        throwIfAborted(signal);
        const related = sources.filter((o) => o !== s).flatMap((o) => o.parsed.certificates.map((c) => c.der));
        const input = { source: s.file, certificates: s.parsed.certificates, problems: s.parsed.problems, related };
        reports.push(...(await inspectCertificates(input, config.policy ?? {}, { now, cacheDir, signal })));
      }
      const results = certificateResults(reports, { now, durationMs: Math.round(performance.now() - started) });
      // A CRL/OCSP endpoint or a broken anchor file is seen once per file inspected: one result each.
      const seen = new Set<string>();
      return results.filter((r) => !seen.has(r.subject) && Boolean(seen.add(r.subject)));
    },
  };
}
