import { existsSync, mkdtempSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ldSoConfDirectories, linuxLibrarySearchPath } from './linux-libraries.js';
import { createLinuxPlatform } from './linux.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gp-ldso-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('where a bare library name is looked for on Linux', () => {
  it('follows ld.so.conf and its include globs in order, skipping comments, hwcap lines and loops', () => {
    mkdirSync(path.join(tmp, 'conf.d'));
    const main = path.join(tmp, 'ld.so.conf');
    writeFileSync(main, `# the main file\n/opt/first/lib\ninclude ${tmp}/conf.d/*.conf\nhwcap 0 nosegneg\n/opt/last/lib # trailing comment\ninclude ${main}\n`);
    writeFileSync(path.join(tmp, 'conf.d', 'b-vendor.conf'), '/opt/lm-gm3000/lib\n');
    writeFileSync(path.join(tmp, 'conf.d', 'a-multiarch.conf'), '# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n');
    writeFileSync(path.join(tmp, 'conf.d', 'ignored.txt'), '/not/this\n');
    expect(ldSoConfDirectories(main).slice(0, 5)).toEqual([
      '/opt/first/lib',
      '/usr/local/lib/x86_64-linux-gnu',
      '/lib/x86_64-linux-gnu',
      '/opt/lm-gm3000/lib',
      '/opt/last/lib',
    ]);
    expect(ldSoConfDirectories(path.join(tmp, 'missing.conf'))).toEqual([]);
  });

  it('puts LD_LIBRARY_PATH first, then ld.so.conf, the loader\'s own directories, then PKCS#11 module directories', () => {
    const dirs = linuxLibrarySearchPath({ env: { LD_LIBRARY_PATH: '/opt/vendor/lib::/opt/other' }, arch: 'arm64', ldSoConf: path.join(tmp, 'ld.so.conf') });
    expect(dirs.slice(0, 3)).toEqual(['/opt/vendor/lib', '/opt/other', '/opt/first/lib']);
    const at = (d: string) => dirs.indexOf(d);
    expect(at('/lib/aarch64-linux-gnu')).toBeGreaterThan(at('/opt/last/lib'));
    expect(at('/usr/lib')).toBeGreaterThan(at('/usr/lib/aarch64-linux-gnu'));
    expect(at('/usr/lib/aarch64-linux-gnu/pkcs11')).toBeGreaterThan(at('/usr/lib'));
    expect(at('/usr/lib/softhsm')).toBeGreaterThan(at('/usr/lib'));
    expect(new Set(dirs).size).toBe(dirs.length);
  });

  it.runIf(process.platform === 'linux' && existsSync('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so'))(
    'on this Debian machine, finds opensc-pkcs11.so where the loader does: the multiarch directory',
    () => {
      const dirs = createLinuxPlatform().librarySearchPath!();
      const found = dirs.map((d) => path.join(d, 'opensc-pkcs11.so')).find((f) => existsSync(f));
      expect(found && realpathSync(found)).toBe(realpathSync('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so')); // /lib may be a link to /usr/lib
    },
  );
});
