/**
 * Test-only: compiles the test PKCS#11 modules in ../test-modules with gcc, once per source version, into a cache
 * directory under the system temp dir (parallel test files share it; the build is renamed into place atomically).
 * Also makes the three ways a real vendor module fails to load: a 32-bit build on a 64-bit agent (an ELF whose
 * class byte says ELFCLASS32), a missing dependency, and a file that is no shared object at all.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestModules {
  /** Blocks forever in C_GetSlotList. */
  hang: string;
  /** Segfaults in C_GetSlotList. */
  crash: string;
  /** One token; flags from GP_TOKEN_FLAGS, C_Login counted into GP_LOGIN_COUNT_FILE (see flags.c). */
  flags: string;
  /** flags.so linked against a library that is not there any more: dlopen names the missing library. */
  missingDependency: string;
  /** flags.so with its ELF class byte set to 32-bit: "wrong ELF class: ELFCLASS32". */
  wrongClass: string;
  /** A text file named like a module: "invalid ELF header". */
  notAModule: string;
}

const SOURCES = fileURLToPath(new URL('../test-modules/', import.meta.url));
const NAMES = ['hang', 'crash', 'flags'] as const;
const PREFIX = 'guardpost-p11-test-modules-';

function includeDir(): string {
  const pkg = createRequire(import.meta.url).resolve('pkcs11js/package.json');
  return path.join(path.dirname(pkg), 'includes', 'pkcs11');
}

function sourceHash(): string {
  const h = createHash('sha256').update(process.arch);
  for (const f of readdirSync(SOURCES).sort()) h.update(f).update(readFileSync(path.join(SOURCES, f)));
  return h.digest('hex').slice(0, 12);
}

function gcc(args: string[]): void {
  execFileSync('gcc', ['-shared', '-fPIC', '-O1', '-Wall', '-Wextra', '-Werror', `-I${includeDir()}`, `-I${SOURCES}`, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function build(dir: string): void {
  for (const name of NAMES) gcc(['-o', path.join(dir, `${name}.so`), path.join(SOURCES, `${name}.c`)]);
  // Missing dependency: link against a helper library, then take the helper away.
  const dep = path.join(dir, 'libgp-vanished.so');
  writeFileSync(path.join(dir, 'vanished.c'), 'int gp_vanished_marker = 1;\n');
  gcc(['-o', dep, path.join(dir, 'vanished.c')]);
  gcc(['-o', path.join(dir, 'missing-dependency.so'), path.join(SOURCES, 'flags.c'), `-L${dir}`, '-Wl,--no-as-needed', '-lgp-vanished']);
  rmSync(dep);
  rmSync(path.join(dir, 'vanished.c'));
  // A 32-bit vendor module on a 64-bit agent: the loader refuses it by the ELF class byte (e_ident[4]).
  const elf = readFileSync(path.join(dir, 'flags.so'));
  elf[4] = 1;
  writeFileSync(path.join(dir, 'wrong-class.so'), elf);
  writeFileSync(path.join(dir, 'not-a-module.so'), 'this is a text file, not a PKCS#11 module\n');
}

function modulesIn(dir: string): TestModules {
  return {
    hang: path.join(dir, 'hang.so'),
    crash: path.join(dir, 'crash.so'),
    flags: path.join(dir, 'flags.so'),
    missingDependency: path.join(dir, 'missing-dependency.so'),
    wrongClass: path.join(dir, 'wrong-class.so'),
    notAModule: path.join(dir, 'not-a-module.so'),
  };
}

/** The compiled test modules; builds them on first use (about a second), then reuses the cache. */
export function testModules(): TestModules {
  const dir = path.join(tmpdir(), `${PREFIX}${sourceHash()}`);
  const modules = modulesIn(dir);
  if (Object.values(modules).every((f) => existsSync(f))) return modules;
  // Builds of older sources are of no further use.
  for (const old of readdirSync(tmpdir()).filter((d) => d.startsWith(PREFIX) && path.join(tmpdir(), d) !== dir)) {
    rmSync(path.join(tmpdir(), old), { recursive: true, force: true });
  }
  const staging = mkdtempSync(path.join(tmpdir(), 'guardpost-p11-build-'));
  try {
    build(staging);
    try {
      renameSync(staging, dir);
    } catch (err) {
      // Another test file finished the same build first: use theirs.
      if (!Object.values(modules).every((f) => existsSync(f))) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return modules;
}
