import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { DiagHost } from './host.js';
import { redactLine } from './redact.js';
import { tailLines } from './tail.js';
import { ustar, type TarEntry } from './tar.js';

const gzipAsync = promisify(gzip);

/** Bounds, so a bundle stays a few MB whatever the logs hold. */
export const BUNDLE_LIMITS = { logBytesPerFile: 1024 * 1024, agentLogFiles: 3, auditLines: 500, recentTransitions: 200 } as const;

export interface Bundle {
  fileName: string;
  gzip: Buffer;
  files: string[];
}

/** "20260501T103000Z": a time that is a valid file name everywhere. */
export const compactTime = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

const text = (s: string) => Buffer.from(s);
const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`);

async function logTail(file: string, maxBytes: number): Promise<string> {
  const t = await tailLines(file, Number.MAX_SAFE_INTEGER, maxBytes);
  return t.lines.length ? `${t.lines.map(redactLine).join('\n')}\n` : '';
}

/**
 * A support bundle (tar.gz): the agent's logs (their ends, redacted), the configuration with secrets described, the
 * versions, status, check history, active and recent faults, and the audit log's tail. The audit lines are kept as
 * written — they hold no secrets by design, and unchanged lines can be compared with the desk's copy by hash.
 */
export async function buildBundle(host: DiagHost): Promise<Bundle> {
  const now = host.now();
  const top = `guardpost-${host.agentId}-${compactTime(now)}`;
  const entries: TarEntry[] = [{ name: `${top}/`, mtime: now }];
  const add = (name: string, body: Buffer) => entries.push({ name: `${top}/${name}`, body, mtime: now });
  const problems: string[] = [];
  add('versions.json', json(host.versions()));
  add('config.json', json(host.config()));
  add('status.json', json(host.status()));
  add('history.json', json(host.history()));
  const faults = host.faults();
  add('faults.json', json({ active: faults.active, recent: faults.recent.slice(-BUNDLE_LIMITS.recentTransitions) }));
  entries.push({ name: `${top}/logs/`, mtime: now });
  for (const file of (await host.agentLogs()).slice(0, BUNDLE_LIMITS.agentLogFiles)) {
    try {
      add(`logs/${basename(file)}`, text(await logTail(file, BUNDLE_LIMITS.logBytesPerFile)));
    } catch (err) {
      problems.push(`logs/${basename(file)}: ${(err as Error).message}`);
    }
  }
  try {
    const audit = await tailLines(host.auditFile, BUNDLE_LIMITS.auditLines, 4 * 1024 * 1024);
    add('audit-tail.jsonl', text(audit.lines.length ? `${audit.lines.join('\n')}\n` : ''));
  } catch (err) {
    problems.push(`audit-tail.jsonl: ${(err as Error).message}`);
  }
  // What could not be read is said inside the bundle rather than failing it: a support case needs the rest.
  if (problems.length) add('problems.txt', text(`${problems.join('\n')}\n`));
  return { fileName: `${top}.tar.gz`, gzip: await gzipAsync(ustar(entries)), files: entries.map((e) => e.name) };
}
