#!/usr/bin/env node
// Builds the local page's browser files, agent/web/page/, into the directory the server reads them from:
// its TypeScript modules compiled by tsc with the page's own tsconfig (DOM, no Node), legacy.js, style.css and
// icon.svg copied as written.
//
//   node scripts/build-web.mjs                    type-check, then build into dist/agent/web/page/ (npm run build)
//   node scripts/build-web.mjs --check            type-check only, the modules and legacy.js (npm test)
//   node scripts/build-web.mjs --out DIR --fast   build into DIR without type-checking: the agent run from its
//                                                 sources does this at start (agent/web/static/page-files.ts)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pageDir = join(root, 'agent', 'web', 'page');
/** Served as written: no compiler output for them. */
const COPIED = ['legacy.js', 'style.css', 'icon.svg'];
const tscBin = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

function tsc(args) {
  const r = spawnSync(process.execPath, [tscBin, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build-web: tsc ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? resolve(args[outAt + 1] ?? '') : join(root, 'dist', 'agent', 'web', 'page');

if (!flag('--fast')) {
  tsc(['-p', join(pageDir, 'tsconfig.legacy.json')]);
  if (flag('--check')) {
    tsc(['-p', join(pageDir, 'tsconfig.json'), '--noEmit']);
    process.exit(0);
  }
}
// A clean directory: nothing left from an older build can be mistaken for a page file.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
tsc(['-p', join(pageDir, 'tsconfig.json'), '--outDir', out, ...(flag('--fast') ? ['--noCheck'] : [])]);
for (const file of COPIED) copyFileSync(join(pageDir, file), join(out, file));
