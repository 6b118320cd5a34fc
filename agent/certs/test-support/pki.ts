/**
 * The shared test PKI (RSA, ECDSA and SM2 roots, intermediates, leaves, CRLs, PKCS#12 and PKCS#7 files), made by
 * openssl at test time. Generated once per day and PKI_VERSION into the system temp dir and reused by every test
 * file (and by the token tests, which import these certificates into SoftHSM2). Tests that revoke or issue use
 * `workingCopy()`, a private copy, so the shared one never changes under a test running in parallel.
 *
 *   const pki = await getTestPki();
 *   pki.der('sm2-sign'); pki.path('rsa-chain', 'pem'); pki.path('sm2-sign', 'p8.der'); pki.createdAt
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startOcspResponder, type OcspResponder, type ResponderOptions } from './ocsp-responder.js';
import { generateContainers, generateCrl, generateFamily, issueLeaf, LEAVES, revoke, type Family, type LeafSpec } from './pki-generate.js';

/** Bump when the generated set changes; old caches are then ignored (and swept after two days). */
export const PKI_VERSION = 'v3';
const PREFIX = 'guardpost-test-pki-';

export interface TestPki {
  dir: string;
  /** The moment validity offsets were counted from ("expiring in 5 days" = createdAt + 5.5 d). */
  createdAt: Date;
  /** Every certificate's name: rsa-root, rsa-int, rsa-leaf, rsa-exp5, sm2-sign, ... */
  names: string[];
  /** `<dir>/<name>.<ext>`; ext: pem (certificate), der, key (PEM private key), p8.der (PKCS#8 DER key), crl.pem, p12, p7b. */
  path(name: string, ext?: string): string;
  der(name: string): Uint8Array;
  pem(name: string): string;
  /** The family intermediate's CRL (revokes <family>-revoked). */
  crlPath(family: Family): string;
  /** A private, writable copy for tests that revoke, issue, re-generate CRLs or run an OCSP responder. */
  workingCopy(): Promise<MutablePki>;
}

export interface MutablePki extends TestPki {
  revoke(name: string, reason?: string): Promise<void>;
  /** Regenerates the family CRL with nextUpdate `hours` from now; returns its path. */
  generateCrl(family: Family, hours?: number): Promise<string>;
  /** Issues an extra leaf (e.g. one with an OCSP URL in AIA) from the family intermediate. */
  issue(spec: LeafSpec): Promise<void>;
  /** An `openssl ocsp` file-mode responder for the family intermediate, on 127.0.0.1. */
  ocspResponder(family: Family, opts?: Partial<ResponderOptions>): Promise<OcspResponder>;
  cleanup(): Promise<void>;
}

function view(dir: string, createdAt: Date, names: string[]): TestPki {
  const p = (name: string, ext = 'pem') => path.join(dir, `${name}.${ext}`);
  return {
    dir,
    createdAt,
    names,
    path: p,
    der: (name) => new Uint8Array(readFileSync(p(name, 'der'))),
    pem: (name) => readFileSync(p(name, 'pem'), 'utf8'),
    crlPath: (family) => p(`${family}-int`, 'crl.pem'),
    workingCopy: () => workingCopy(dir, createdAt, names),
  };
}

async function workingCopy(from: string, createdAt: Date, names: string[]): Promise<MutablePki> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guardpost-pki-work-'));
  await cp(from, dir, { recursive: true });
  const responders: OcspResponder[] = [];
  const all = [...names];
  return {
    ...view(dir, createdAt, all),
    revoke: (name, reason) => revoke(dir, name, reason),
    generateCrl: (family, hours = 30 * 24) => generateCrl(dir, family, hours),
    issue: async (spec) => {
      await issueLeaf(dir, spec, createdAt);
      all.push(spec.name);
    },
    ocspResponder: async (family, opts) => {
      const r = await startOcspResponder({ dir, family, ...opts });
      responders.push(r);
      return r;
    },
    cleanup: async () => {
      await Promise.all(responders.map((r) => r.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let shared: Promise<TestPki> | undefined;

/** The shared PKI: from the cache when today's exists, else generated (about 5 s on two cores) and cached. */
export function getTestPki(): Promise<TestPki> {
  shared ??= load();
  return shared;
}

async function load(): Promise<TestPki> {
  const today = new Date().toISOString().slice(0, 10);
  const final = path.join(os.tmpdir(), `${PREFIX}${PKI_VERSION}-${today}`);
  const manifest = path.join(final, 'manifest.json');
  if (!existsSync(manifest)) await generateOnce(final, manifest);
  const m = JSON.parse(await readFile(manifest, 'utf8')) as { createdAt: string; names: string[] };
  return view(final, new Date(m.createdAt), m.names);
}

/**
 * Parallel test files would all generate at once on a cold cache: the first to create the lock directory does
 * the work, the others wait for its manifest (a lock older than two minutes is taken as abandoned).
 */
async function generateOnce(final: string, manifest: string): Promise<void> {
  const lock = `${final}.lock`;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (existsSync(manifest)) return;
      const st = await stat(lock).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > 120_000) await rm(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (existsSync(manifest)) return;
    await sweep(final);
    const tmp = `${final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await mkdir(tmp, { recursive: true });
    const createdAt = new Date();
    // Families are independent: generate them side by side.
    await Promise.all((['rsa', 'ec', 'sm2'] as Family[]).map((f) => generateFamily(tmp, f, createdAt)));
    await generateContainers(tmp);
    const names = ['rsa', 'ec', 'sm2'].flatMap((f) => [`${f}-root`, `${f}-int`]).concat(LEAVES.map((l) => l.name));
    await writeFile(path.join(tmp, 'manifest.json'), JSON.stringify({ version: PKI_VERSION, createdAt: createdAt.toISOString(), names }));
    await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Removes cached PKIs and abandoned temp copies older than two days. */
async function sweep(keep: string): Promise<void> {
  const tmp = os.tmpdir();
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    if (!name.startsWith(PREFIX) && !name.startsWith('guardpost-pki-work-')) continue;
    if (name.endsWith('.lock')) continue;
    const full = path.join(tmp, name);
    if (full === keep) continue;
    const st = await stat(full).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 2 * 86_400_000) await rm(full, { recursive: true, force: true }).catch(() => {});
  }
}

export type { Family, LeafSpec, OcspResponder };
