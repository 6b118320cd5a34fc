import { readFile, stat } from 'node:fs/promises';
import { CrlError, parseCrl, type Crl } from './crl.js';
import { daysBetween } from './days.js';
import { fetchBytes, responseCache } from './fetch-cache.js';
import type { ResolvedCertificatePolicy } from './policy.js';
import type { RevocationSourceReport } from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A CRL source as loaded for one run: the CRL (possibly from cache) and how healthy the source is. */
export interface LoadedCrl {
  location: string;
  crl?: Crl;
  report: RevocationSourceReport;
}

export interface CrlLoadOptions {
  policy: ResolvedCertificatePolicy['revocation']['crl'];
  cacheDir?: string;
  now: Date;
  signal?: AbortSignal;
}

type Freshness = Pick<RevocationSourceReport, 'status' | 'thisUpdate' | 'nextUpdate' | 'daysToNextUpdate'>;

/**
 * Grades a CRL's freshness by time, never by rounded days: 'stale' only once nextUpdate has passed; 'expiring'
 * before that when less than `staleWarnDays` are left, or when the agent's own refresh of a downloaded CRL failed
 * and less than `staleWarnPercent` of the CRL's validity is left. So a weekly CRL refreshed on time never warns
 * (a fixed 7-day warning did from the moment it was issued), and an unreachable CRL URL warns while there is still time.
 */
export function crlFreshness(crl: Crl, now: Date, policy: CrlLoadOptions['policy'], refreshFailed: boolean): Freshness {
  const out: Freshness = { status: 'ok', thisUpdate: crl.thisUpdate.toISOString() };
  if (!crl.nextUpdate) return out;
  out.nextUpdate = crl.nextUpdate.toISOString();
  out.daysToNextUpdate = daysBetween(now, crl.nextUpdate);
  const leftMs = crl.nextUpdate.getTime() - now.getTime();
  const lifetimeMs = crl.nextUpdate.getTime() - crl.thisUpdate.getTime();
  if (leftMs <= 0) out.status = 'stale';
  else if (leftMs < policy.staleWarnDays * DAY) out.status = 'expiring';
  else if (refreshFailed && leftMs < (policy.staleWarnPercent / 100) * lifetimeMs) out.status = 'expiring';
  return out;
}

const fileMemo = new Map<string, { mtimeMs: number; size: number; crl: Crl }>();

/** A CRL file, re-read only when it changes. */
export async function loadCrlFile(file: string, o: CrlLoadOptions): Promise<LoadedCrl> {
  const report = (r: Partial<RevocationSourceReport>): RevocationSourceReport => ({ kind: 'crl', location: file, status: 'unavailable', fromCache: false, ...r });
  try {
    const st = await stat(file);
    let memo = fileMemo.get(file);
    if (!memo || memo.mtimeMs !== st.mtimeMs || memo.size !== st.size) {
      memo = { mtimeMs: st.mtimeMs, size: st.size, crl: parseCrl(new Uint8Array(await readFile(file))) };
      fileMemo.set(file, memo);
    }
    return { location: file, crl: memo.crl, report: report(crlFreshness(memo.crl, o.now, o.policy, false)) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code) return { location: file, report: report({ status: 'unavailable', error: `cannot read: ${e.code}` }) };
    return { location: file, report: report({ status: 'invalid', error: e.message }) };
  }
}

/**
 * A CRL URL through the disk cache: downloaded when there is no cached copy, when the copy is older than
 * refreshHours, and more often as nextUpdate nears (so a fresh CRL is in hand before the old one goes stale).
 * A failed download falls back to the cached copy: the terminal keeps checking revocation offline, and only
 * CRL_STALE says when that copy gets old. Without any copy the source is 'unavailable', never "revoked".
 */
export async function loadCrlUrl(url: string, o: CrlLoadOptions): Promise<LoadedCrl> {
  const cache = responseCache(o.cacheDir, 'crl');
  const refreshMs = o.policy.refreshHours * HOUR;
  const cached = await cache.get(url);
  let cachedCrl: Crl | undefined;
  if (cached) {
    try {
      cachedCrl = parseCrl(cached.bytes);
    } catch {
      cachedCrl = undefined; // a damaged cache file is simply downloaded again
    }
  }
  const age = cached ? o.now.getTime() - cached.fetchedAt.getTime() : Infinity;
  const nearNext = cachedCrl?.nextUpdate && o.now.getTime() + refreshMs >= cachedCrl.nextUpdate.getTime();
  const due = !cachedCrl || age >= refreshMs || age < 0 || (nearNext && age >= refreshMs / 4);
  const base = { kind: 'crl' as const, location: url };
  if (!due) return { location: url, crl: cachedCrl, report: { ...base, fromCache: true, ...crlFreshness(cachedCrl!, o.now, o.policy, false) } };

  try {
    const bytes = await fetchBytes(url, { timeoutMs: o.policy.timeoutSeconds * 1000, maxBytes: o.policy.maxBytes, signal: o.signal });
    const crl = parseCrl(bytes);
    await cache.put(url, bytes, o.now).catch(() => {}); // a read-only cache dir must not hide a good CRL
    return { location: url, crl, report: { ...base, fromCache: false, ...crlFreshness(crl, o.now, o.policy, false) } };
  } catch (err) {
    const error = (err as Error).message;
    if (o.signal?.aborted) throw err;
    if (cachedCrl) return { location: url, crl: cachedCrl, report: { ...base, fromCache: true, error, ...crlFreshness(cachedCrl, o.now, o.policy, true) } };
    const invalid = err instanceof CrlError;
    return { location: url, report: { ...base, status: invalid ? 'invalid' : 'unavailable', fromCache: false, error } };
  }
}

/** Every configured CRL (files and URLs), plus distribution points named by the certificates when enabled. */
export async function loadCrls(extraUrls: string[], o: CrlLoadOptions): Promise<LoadedCrl[]> {
  const urls = [...new Set([...o.policy.urls, ...(o.policy.fromCertificate ? extraUrls.filter((u) => /^https?:\/\//i.test(u)) : [])])];
  const out: LoadedCrl[] = [];
  for (const f of o.policy.files) out.push(await loadCrlFile(f, o));
  for (const u of urls) out.push(await loadCrlUrl(u, o));
  return out;
}
