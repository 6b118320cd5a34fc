import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the page's built browser files are. The compiled agent (dist/agent/web/static/) finds them beside itself in
 * dist/agent/web/page/, written by `npm run build` (scripts/build-web.mjs). Run from its sources (tsx, vitest),
 * it builds them now, from agent/web/page/, with the same script into a fresh temporary directory, so what is served
 * is never an older build than the code beside it. `cleanup` removes that directory once the files are read.
 */
export interface PageFiles {
  dir: string;
  cleanup(): void;
}

const fromSources = import.meta.url.endsWith('.ts');

export function pageFiles(): PageFiles {
  if (!fromSources) return { dir: fileURLToPath(new URL('../page/', import.meta.url)), cleanup: () => undefined };
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'gp-page-'));
  // --fast: no type-check here; `npm test` and `npm run build` type-check the page.
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-web.mjs'), '--out', dir, '--fast'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the page from agent/web/page/ failed (exit ${r.status ?? r.signal}): ${r.stdout}${r.stderr}`);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
