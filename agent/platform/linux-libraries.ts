import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Debian's multiarch triplets by Node's process.arch (Kylin and UOS ship on x86-64, ARM64 and LoongArch). */
const TRIPLETS: Record<string, string> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  ia32: 'i386-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  loong64: 'loongarch64-linux-gnu',
  mips64el: 'mips64el-linux-gnuabi64',
  riscv64: 'riscv64-linux-gnu',
};

export interface LinuxLibrarySearchOptions {
  env?: NodeJS.ProcessEnv;
  arch?: string;
  /** The loader's configuration file; tests point it elsewhere. */
  ldSoConf?: string;
}

/**
 * The directories a bare library name ("opensc-pkcs11.so") is looked for in, in the dynamic loader's order:
 * LD_LIBRARY_PATH, the directories of /etc/ld.so.conf (what ld.so.cache is built from), then the loader's
 * built-in ones, multiarch first. Then the directories PKCS#11 modules are installed in without being on the
 * loader's path (p11-kit's, SoftHSM2's), so a module named by file name alone is found where packages put it.
 */
export function linuxLibrarySearchPath(options: LinuxLibrarySearchOptions = {}): string[] {
  const env = options.env ?? process.env;
  const triplet = TRIPLETS[options.arch ?? process.arch];
  const lib64 = /64/.test(options.arch ?? process.arch) ? ['/lib64', '/usr/lib64'] : [];
  const dirs = [
    ...(env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''),
    ...ldSoConfDirectories(options.ldSoConf ?? '/etc/ld.so.conf'),
    ...(triplet ? [`/lib/${triplet}`, `/usr/lib/${triplet}`] : []),
    ...lib64,
    '/lib',
    '/usr/lib',
    ...(triplet ? [`/usr/lib/${triplet}/pkcs11`] : []),
    '/usr/lib64/pkcs11',
    '/usr/lib/pkcs11',
    '/usr/lib/softhsm',
    '/usr/local/lib/softhsm',
  ];
  return [...new Set(dirs.map((d) => path.resolve(d)))];
}

/** Directories listed in an ld.so.conf, following `include` globs; a missing or unreadable file adds none. */
export function ldSoConfDirectories(file: string, depth = 0): string[] {
  if (depth > 8) return []; // an include loop
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const include = /^include\s+(.+)$/.exec(line);
    if (include) {
      for (const pattern of include[1]!.trim().split(/\s+/)) {
        const abs = path.isAbsolute(pattern) ? pattern : path.join(path.dirname(file), pattern);
        for (const f of expandGlob(abs)) out.push(...ldSoConfDirectories(f, depth + 1));
      }
    } else if (!line.startsWith('hwcap ')) {
      out.push(...line.split(/[:,\s]+/).filter((d) => d.startsWith('/')));
    }
  }
  return out;
}

/** `dir/*.conf`-style globs (a wildcard in the last part only, as ld.so.conf uses them), sorted as ldconfig does. */
function expandGlob(pattern: string): string[] {
  const base = path.basename(pattern);
  if (!/[*?[]/.test(base)) return [pattern];
  const re = new RegExp(`^${base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  try {
    return readdirSync(path.dirname(pattern))
      .filter((f) => re.test(f))
      .sort()
      .map((f) => path.join(path.dirname(pattern), f));
  } catch {
    return [];
  }
}
