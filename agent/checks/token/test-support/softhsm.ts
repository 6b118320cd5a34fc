/**
 * Test-only: SoftHSM2 in a private token directory. SoftHSM reads SOFTHSM2_CONF from the real process environment
 * at C_Initialize, so `create()` sets it in process.env before anything in this process loads the module (vitest's
 * forks pool gives each test file its own process; isolated check children inherit the variable).
 * Objects are imported with pkcs11-tool in a subprocess, never through this process's own copy of the module.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

const onPath = (cmd: string) => (process.env.PATH ?? '').split(path.delimiter).some((d) => existsSync(path.join(d, cmd)));
export const softhsmAvailable = existsSync(SOFTHSM_MODULE) && onPath('softhsm2-util') && onPath('pkcs11-tool');

export const USER_PIN = '123456';
const SO_PIN = '12345678';

export interface ImportObject {
  type: 'cert' | 'privkey' | 'pubkey';
  /** DER file: certificate, PKCS#8 private key, or SPKI public key. */
  file: string;
  /** CKA_ID in hex. */
  id: string;
  label: string;
}

export class PrivateSoftHsm {
  readonly tokensDir: string;
  readonly parkedDir: string;
  readonly conf: string;
  readonly #tokenDirs = new Map<string, string>();

  private constructor(readonly dir: string) {
    this.tokensDir = path.join(dir, 'tokens');
    this.parkedDir = path.join(dir, 'unplugged');
    this.conf = path.join(dir, 'softhsm2.conf');
  }

  /** A fresh token directory, selected through SOFTHSM2_CONF in this process's environment. */
  static create(): PrivateSoftHsm {
    const hsm = new PrivateSoftHsm(mkdtempSync(path.join(tmpdir(), 'gp-softhsm-')));
    mkdirSync(hsm.tokensDir);
    mkdirSync(hsm.parkedDir);
    writeFileSync(
      hsm.conf,
      `directories.tokendir = ${hsm.tokensDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\nslots.mechanisms = ALL\nlibrary.reset_on_fork = false\n`,
    );
    process.env.SOFTHSM2_CONF = hsm.conf;
    return hsm;
  }

  #run(cmd: string, args: string[]): string {
    return execFileSync(cmd, args, { env: { ...process.env, SOFTHSM2_CONF: this.conf }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Initialises a token in the spare slot; returns its serial number. */
  initToken(label: string, pin = USER_PIN): string {
    const before = new Set(readdirSync(this.tokensDir));
    this.#run('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', SO_PIN, '--pin', pin]);
    const created = readdirSync(this.tokensDir).find((d) => !before.has(d));
    if (!created) throw new Error(`softhsm: no token directory appeared for ${label}`);
    this.#tokenDirs.set(label, created);
    const slots = this.#run('softhsm2-util', ['--show-slots']);
    const block = slots.split(/\n(?=Slot )/).find((b) => new RegExp(`Label:\\s+${label}\\s*$`, 'm').test(b));
    const serial = /Serial number:\s+(\S+)/.exec(block ?? '')?.[1];
    if (!serial) throw new Error(`softhsm: cannot find the serial of ${label}`);
    return serial;
  }

  importObjects(label: string, objects: ImportObject[], pin = USER_PIN): void {
    for (const o of objects) {
      const usage = o.type === 'privkey' ? ['--usage-sign'] : [];
      this.#run('pkcs11-tool', [
        '--module', SOFTHSM_MODULE, '--token-label', label, '--login', '--pin', pin,
        '--write-object', o.file, '--type', o.type, '--id', o.id, '--label', o.label, ...usage,
      ]);
    }
  }

  /** "Unplugs" a token: its directory leaves the token store (SoftHSM sees it only after re-initialising). */
  unplug(label: string): void {
    const d = this.#tokenDirs.get(label)!;
    renameSync(path.join(this.tokensDir, d), path.join(this.parkedDir, d));
  }

  replug(label: string): void {
    const d = this.#tokenDirs.get(label)!;
    renameSync(path.join(this.parkedDir, d), path.join(this.tokensDir, d));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
