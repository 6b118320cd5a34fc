import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * scripts/doctor-test-env.sh is how CI proves the machine has what the tests start, from Debian packages or the
 * project. These tests run it on PATHs made to look like a hand-prepared machine, and need dpkg (Debian only).
 */
const DOCTOR = new URL('../../scripts/doctor-test-env.sh', import.meta.url).pathname;
const VICC = new URL('../../scripts/tools/vicc', import.meta.url).pathname;
const onDebian = spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'gp-doctor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function doctor(path: string) {
  const r = spawnSync('bash', [DOCTOR], { encoding: 'utf8', env: { ...process.env, PATH: path } });
  return { status: r.status, lines: r.stderr.split('\n').filter(Boolean) };
}

/** A directory of symlinks to every program of /usr/bin and /usr/sbin except `without`. */
function pathWithout(without: string): string {
  const dir = join(scratch, `without-${without}`);
  mkdirSync(dir);
  for (const from of ['/usr/bin', '/usr/sbin']) {
    for (const name of readdirSync(from)) {
      if (name === without) continue;
      try {
        symlinkSync(join(from, name), join(dir, name));
      } catch {
        // the same name in both: the first wins, as on PATH
      }
    }
  }
  return dir;
}

describe.runIf(onDebian)('the test-environment doctor', () => {
  it('names a program that is missing, with the package that provides it, and fails', () => {
    const r = doctor(pathWithout('tinyproxy'));
    expect(r.status).toBe(1);
    expect(r.lines).toContainEqual(expect.stringMatching(/^doctor: tinyproxy is missing \(.*\): apt-get install tinyproxy$/));
  });

  it('refuses a program found first on PATH that no Debian package installed (a hand-made tool)', () => {
    const fake = join(scratch, 'hand-made');
    mkdirSync(fake);
    writeFileSync(join(fake, 'socat'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(fake, 'socat'), 0o755);
    const r = doctor(`${fake}:${process.env.PATH}`);
    expect(r.status).toBe(1);
    expect(r.lines).toContainEqual(expect.stringContaining(`socat resolves to ${fake}/socat, which no Debian package installed`));
  });

  it("takes the project's own vicc launcher, which starts the card emulator from Debian's packages", () => {
    const r = spawnSync(VICC, ['--self-test'], { encoding: 'utf8' });
    // Exit 2 with a named package when python3-virtualsmartcard or python3-pycryptodome is absent.
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/virtualsmartcard from \/usr\/lib\/python3\/site-packages\/virtualsmartcard, Crypto from .*Cryptodome/);
  });

  it('vicc refuses to run without a vpcd host rather than probing a public address', () => {
    const r = spawnSync(VICC, ['--hostname', ''], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--hostname is required/);
  });
});
