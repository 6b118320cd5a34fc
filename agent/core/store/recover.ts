import { lstat, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { messageOf, readJsonFile } from './json-file.js';
import type { StoreHealth } from './types.js';

export type Recovered = NonNullable<StoreHealth['recovered']>;

export type Validation<T> = { ok: true; value: T; skipped?: string[] } | { ok: false; problem: string };

export interface LoadOptions<T> {
  path: string;
  /** The last good copy to fall back on; none for files that are simply started empty (history). */
  backupPath?: string;
  /** What the file should hold, for the reason text ("agent state"). */
  what: string;
  validate: (value: unknown) => Validation<T>;
  now: () => Date;
}

export interface LoadResult<T> {
  /** Undefined means start empty. */
  value?: T;
  recovered?: Recovered;
}

/** Corrupt copies kept per file; older ones are deleted so repeated recoveries cannot fill the disk. */
const KEEP_CORRUPT_COPIES = 5;

/**
 * Loads a JSON file, never throwing. An unusable file is moved aside as `<file>.corrupt-<ISO time>`, then the last
 * good copy is tried, then an empty start; `recovered` says what happened in one sentence per step.
 */
export async function loadWithRecovery<T>(opts: LoadOptions<T>): Promise<LoadResult<T>> {
  const at = opts.now().toISOString();
  const main = await tryLoad(opts.path, opts);
  if (main.kind === 'ok') {
    if (!main.skipped?.length) return { value: main.value };
    const reason = `${opts.path}: skipped ${main.skipped.length} malformed entries (${summarize(main.skipped)})`;
    return { value: main.value, recovered: { reason, at } };
  }

  let reason: string;
  let movedTo: string | undefined;
  if (main.kind === 'missing') {
    if (!opts.backupPath) return {};
    reason = `${opts.path} is missing but ${opts.backupPath} exists (a write was interrupted)`;
  } else {
    const moved = await moveAside(opts.path, opts.now());
    movedTo = moved.movedTo;
    reason = moved.movedTo ? `${main.reason}; moved it to ${moved.movedTo}` : `${main.reason}; could not move it aside (${moved.error})`;
  }

  if (opts.backupPath) {
    const backup = await tryLoad(opts.backupPath, opts);
    if (backup.kind === 'ok') {
      const recovered: Recovered = { reason: `${reason}; restored the last good copy from ${opts.backupPath}`, restoredFrom: opts.backupPath, at };
      if (movedTo) recovered.movedTo = movedTo;
      return { value: backup.value, recovered };
    }
    if (backup.kind === 'missing') {
      if (main.kind === 'missing') return {}; // neither file: a first start, nothing to recover
      reason += `; no last good copy (${opts.backupPath} does not exist)`;
    } else {
      const moved = await moveAside(opts.backupPath, opts.now());
      reason += `; the last good copy is unusable too: ${backup.reason}${moved.movedTo ? `; moved it to ${moved.movedTo}` : ''}`;
    }
  }
  const recovered: Recovered = { reason: `${reason}; started with empty ${opts.what}`, at };
  if (movedTo) recovered.movedTo = movedTo;
  return { recovered };
}

type Attempt<T> = { kind: 'ok'; value: T; skipped?: string[] } | { kind: 'missing' } | { kind: 'bad'; reason: string };

async function tryLoad<T>(path: string, opts: LoadOptions<T>): Promise<Attempt<T>> {
  const read = await readJsonFile(path);
  if (read.kind !== 'ok') return read;
  const checked = opts.validate(read.value);
  if (!checked.ok) return { kind: 'bad', reason: `${path} does not hold valid ${opts.what}: ${checked.problem}` };
  return checked.skipped ? { kind: 'ok', value: checked.value, skipped: checked.skipped } : { kind: 'ok', value: checked.value };
}

/** Renames a bad file to `<file>.corrupt-<ISO 8601 basic time>` (no colons: valid on Windows too). */
export async function moveAside(path: string, now: Date): Promise<{ movedTo?: string; error?: string }> {
  const stamp = now.toISOString().replace(/[-:]/g, '');
  try {
    let target = `${path}.corrupt-${stamp}`;
    for (let n = 1; await exists(target); n++) target = `${path}.corrupt-${stamp}-${n}`;
    await rename(path, target);
    await pruneCorruptCopies(path);
    return { movedTo: target };
  } catch (err) {
    return { error: messageOf(err) };
  }
}

async function pruneCorruptCopies(path: string): Promise<void> {
  const prefix = `${basename(path)}.corrupt-`;
  const names = (await readdir(dirname(path))).filter((n) => n.startsWith(prefix)).sort();
  for (const name of names.slice(0, Math.max(0, names.length - KEEP_CORRUPT_COPIES))) {
    await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function summarize(lines: string[]): string {
  return lines.length <= 3 ? lines.join('; ') : `${lines.slice(0, 3).join('; ')}; and ${lines.length - 3} more`;
}
