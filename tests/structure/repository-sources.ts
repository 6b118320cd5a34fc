// The TypeScript sources the layer rules cover, read from the working tree.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** provisioning/ is listed before it exists on purpose: its files are covered from the first one. */
export const SOURCE_ROOTS = ['agent', 'desk', 'firmware-bridge', 'provisioning'] as const;

const SKIPPED_FOLDERS = new Set(['node_modules', 'dist']);
const isTypeScript = (name: string): boolean => /\.(c|m)?ts$/.test(name);

function collect(folder: string, into: Map<string, string>): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) collect(path, into);
    } else if (entry.isFile() && isTypeScript(entry.name)) {
      into.set(relative(REPOSITORY_ROOT, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  }
}

/** Repository path → text of every .ts file under the source roots, test files included. */
export function readRepositorySources(): Map<string, string> {
  const sources = new Map<string, string>();
  for (const root of SOURCE_ROOTS) {
    const folder = join(REPOSITORY_ROOT, root);
    if (existsSync(folder)) collect(folder, sources);
  }
  return sources;
}
