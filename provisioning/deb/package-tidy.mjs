/**
 * What the .deb leaves out of node_modules and how it fixes what it keeps, so the package passes lintian and stays
 * small: build leftovers and other systems' prebuilt binaries, test suites, examples and linters' files; native
 * modules stripped and not executable (Debian policy: shared objects are 0644 and stripped); scripts that name
 * `node` through env run on the bundled runtime instead.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Copied paths (relative to the project root) that only building needed. */
export function notAtRunTime(path, nodeArch) {
  if (/\/build\/Release\/(obj|obj\.target|\.deps)(\/|$)|\/build\/(Makefile|config\.gypi|binding\.Makefile)$/.test(path)) return true;
  if (/\/build\/Release\/test_extension\.node$/.test(path)) return true; // better-sqlite3's own test fixture
  // Prebuilt binaries for other systems: node-pty carries Windows' and macOS', serialport musl's.
  if (/\/prebuilds\/[^/]+$/.test(path) && !path.endsWith(`/prebuilds/linux-${nodeArch}`)) return true;
  if (/\/prebuilds\/linux-[^/]+\/[^/]*musl[^/]*$/.test(path)) return true;
  return /^node_modules\/(node-pty\/(deps|third_party|src|scripts)|better-sqlite3\/(deps|src)|pkcs11js\/src|@serialport\/bindings-cpp\/src|fastify\/scripts|nan\/tools|node-addon-api\/tools)(\/|$)/.test(path);
}

const JUNK_DIRS = new Set(['test', 'tests', '__tests__', 'example', 'examples', 'integration', '.github', 'benchmark', 'benchmarks', 'docs']);
const JUNK_FILE = /^(\.eslintrc(\..*)?|\.npmignore|\.gitignore|\.gitattributes|\.gitmodules|\.travis\.yml|\.editorconfig|\.prettierrc(\..*)?|\.nycrc|\.taprc|tsconfig(\..*)?\.json|.*\.(md|markdown|map|ts\.map))$/i;
const KEEP_FILE = /^(licen[cs]e|copying|notice)/i;

/** Removes test suites, examples and linters' files below node_modules (never a licence); returns bytes saved. */
export function pruneModules(modulesDir) {
  let saved = 0;
  const walk = (dir, depth) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      // A folder named like a test suite only counts inside a package (depth > 0), never a package called "test".
      if (e.isDirectory() && JUNK_DIRS.has(e.name) && depth > 0) {
        saved += size(p);
        rmSync(p, { recursive: true, force: true });
      } else if (e.isDirectory()) walk(p, e.name === 'node_modules' || e.name.startsWith('@') ? 0 : depth + 1);
      else if (e.isFile() && JUNK_FILE.test(e.name) && !KEEP_FILE.test(e.name) && !e.name.endsWith('.d.ts')) {
        saved += statSync(p).size;
        rmSync(p);
      }
    }
  };
  walk(modulesDir, 0);
  return saved;
}

/** Shared objects 0644 and stripped; the runtime stripped too (its symbols ship in no -dbgsym package anyway). */
export function stripBinaries(root, runtimeNode) {
  const objects = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.node')) objects.push(p);
    }
  };
  walk(root);
  for (const o of objects) {
    chmodSync(o, 0o644);
    strip(['--strip-unneeded', o]);
  }
  strip(['--strip-all', runtimeNode]);
  return objects.map((o) => relative(root, o));
}

/**
 * Nothing under the program's folder runs by itself: /usr/bin/guardpost and the units start bin/guardpost.js on the
 * bundled runtime by path. So `#!` lines become comments (Node would skip them anyway; lintian would ask for a
 * nodejs dependency the package exists to avoid) and every file but the runtime is 0644.
 */
export function settleScripts(root, runtimeNode) {
  const changed = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        chmodSync(p, 0o755);
        walk(p);
        continue;
      }
      if (!e.isFile() || p === runtimeNode) continue;
      chmodSync(p, 0o644);
      if (!/\.(c?js|mjs)$/.test(e.name)) continue;
      const head = readFileSync(p).subarray(0, 2).toString('latin1');
      if (head !== '#!') continue;
      writeFileSync(p, readFileSync(p, 'utf8').replace(/^#!/, '//#!'));
      changed.push(relative(root, p));
    }
  };
  walk(root);
  return changed;
}

function strip(args) {
  const r = spawnSync('strip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`strip ${args.join(' ')} failed: ${(r.stderr || String(r.error)).trim()} (strip comes with binutils, which g++ brings)`);
}

function size(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((n, e) => n + size(join(p, e)), 0);
}
