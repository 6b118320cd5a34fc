import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A fetch that gives up after `timeoutMs`, refuses more than `maxBytes`, and follows the caller's abort signal. */
export async function fetchBytes(
  url: string,
  opts: { timeoutMs: number; maxBytes: number; signal?: AbortSignal; post?: { body: Uint8Array; contentType: string; accept: string } },
): Promise<Uint8Array> {
  const signals = [AbortSignal.timeout(opts.timeoutMs)];
  if (opts.signal) signals.push(opts.signal);
  const signal = AbortSignal.any(signals);
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.post ? 'POST' : 'GET',
      headers: opts.post ? { 'content-type': opts.post.contentType, accept: opts.post.accept } : undefined,
      body: opts.post ? Buffer.from(opts.post.body) : undefined,
      signal,
      redirect: 'follow',
    });
  } catch (err) {
    throw new Error(describeFetchError(err, opts.timeoutMs));
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > opts.maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`response of ${declared} bytes exceeds the ${opts.maxBytes}-byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body ?? []) {
      total += chunk.byteLength;
      if (total > opts.maxBytes) throw new Error(`response exceeds the ${opts.maxBytes}-byte limit`);
      chunks.push(chunk);
    }
  } catch (err) {
    await res.body?.cancel().catch(() => {});
    throw new Error(describeFetchError(err, opts.timeoutMs));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** "connection refused", "timed out after 5 s": short, stable words for evidence, never a stack. */
function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `timed out after ${timeoutMs / 1000} s`;
  if (e.name === 'AbortError') return 'aborted';
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code})`;
  if (code) return `${code}${e.cause?.message ? `: ${e.cause.message}` : ''}`.slice(0, 200);
  return (e.message ?? String(err)).slice(0, 200);
}

export interface CacheEntry {
  bytes: Uint8Array;
  fetchedAt: Date;
}

/**
 * A tiny on-disk cache of downloaded revocation data: `<dir>/<kind>/<hash of key>.bin` plus a `.json` with the
 * download time. Written to a temp file and renamed, so a crash never leaves half a CRL behind, and several checks
 * sharing the directory never read a partial file.
 */
export interface ResponseCache {
  get(key: string): Promise<CacheEntry | undefined>;
  put(key: string, bytes: Uint8Array, fetchedAt: Date): Promise<void>;
}

export class DiskCache implements ResponseCache {
  constructor(
    private readonly dir: string,
    private readonly kind: 'crl' | 'ocsp',
  ) {}

  private file(key: string): string {
    return path.join(this.dir, this.kind, createHash('sha256').update(key).digest('hex').slice(0, 40));
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const f = this.file(key);
    try {
      const meta = JSON.parse(await readFile(`${f}.json`, 'utf8')) as { key: string; fetchedAt: string };
      if (meta.key !== key) return undefined;
      return { bytes: new Uint8Array(await readFile(`${f}.bin`)), fetchedAt: new Date(meta.fetchedAt) };
    } catch {
      return undefined;
    }
  }

  async put(key: string, bytes: Uint8Array, fetchedAt: Date): Promise<void> {
    const f = this.file(key);
    await mkdir(path.dirname(f), { recursive: true });
    const tmp = `${f}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, `${f}.bin`);
    await writeFile(`${tmp}j`, JSON.stringify({ key, fetchedAt: fetchedAt.toISOString() }));
    await rename(`${tmp}j`, `${f}.json`);
  }
}

const memory = new Map<string, CacheEntry>();
const MEMORY_MAX = 64;

/** Without a cache directory, answers are still reused within this process (bounded), just not across restarts. */
export const memoryCache = (kind: 'crl' | 'ocsp'): ResponseCache => ({
  get: async (key) => memory.get(`${kind} ${key}`),
  put: async (key, bytes, fetchedAt) => {
    if (memory.size >= MEMORY_MAX) memory.delete(memory.keys().next().value!);
    memory.set(`${kind} ${key}`, { bytes, fetchedAt });
  },
});

/** The disk cache when a directory is known, else the in-process one. */
export const responseCache = (dir: string | undefined, kind: 'crl' | 'ocsp'): ResponseCache => (dir ? new DiskCache(dir, kind) : memoryCache(kind));
