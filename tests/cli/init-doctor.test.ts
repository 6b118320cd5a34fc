/**
 * `guardpost init` and `guardpost doctor` as a field engineer runs them, on the built CLI: a fake sysfs tree with a
 * Decard reader, a USB-serial adapter and a Longmai key without its driver; SoftHSM2 holding a real token; the test
 * module that counts logins; the reference desk on loopback for the doctor.
 */
import 'reflect-metadata';
import { spawn, spawnSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateSoftHsm, softhsmAvailable } from '../../agent/checks/token/test-support/softhsm.js';
import { testModules } from '../../agent/checks/token/test-support/modules.js';
import { FakeMachine } from '../../agent/setup/test-support/fake-machine.js';
import type { Desk } from '../../desk/desk.js';
import { agentDeskConfig, initTestDesk, SITE, startDesk, type TestDesk } from '../desk/support/harness.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'guardpost.js');
const tmp = mkdtempSync(join(tmpdir(), 'gp-init-'));
const SITE_FLAGS = ['--institution-code', 'P44010600123', '--institution-name', '示例大药房', '--area-code', '440106', '--terminal-id', 'POS-01'];

let hsm: PrivateSoftHsm;
let machine: FakeMachine;
let serial = '';
const loginCount = join(tmp, 'logins');

function guardpost(args: string[], env: NodeJS.ProcessEnv = {}, input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tmp, GUARDPOST_LANG: 'en', SOFTHSM2_CONF: hsm.conf, GP_LOGIN_COUNT_FILE: loginCount, GP_TOKEN_LABEL: 'FLAGS-KEY', ...env },
    timeout: 90_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The same, without blocking this process: the desk under test runs in it and must answer the doctor. */
function guardpostAsync(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, HOME: tmp, GUARDPOST_LANG: 'en', SOFTHSM2_CONF: hsm.conf } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

const detectFlags = () => ['--sysfs', machine.sys, '--dev', machine.dev, '--no-pcsc', '--module', testModules().flags];

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/agent/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  hsm = PrivateSoftHsm.create();
  serial = hsm.initToken('GDCA-POS');
  machine = new FakeMachine(join(tmp, 'machine'));
  await machine.usb({ name: '1-2', idVendor: '257b', idProduct: '3031', product: 'Decard Reader' });
  await machine.usb({ name: '1-4', idVendor: '055c', idProduct: 'db08', product: 'mToken GM3000' });
  machine.uart('ttyS1', 0);
  machine.usbSerial('ttyUSB0', { bus: '1', idVendor: '1a86', idProduct: '7523', product: 'USB Serial', driver: 'ch341', byId: 'usb-1a86_USB_Serial-if00-port0' });
}, 60_000);

afterAll(() => hsm?.remove());

describe.skipIf(!softhsmAvailable)('guardpost init', () => {
  it('--non-interactive: detects readers and tokens without logging in, and writes a config the service accepts', () => {
    const file = join(tmp, 'etc', 'config.json');
    const byId = join(machine.dev, 'serial/by-id/usb-1a86_USB_Serial-if00-port0');
    const r = guardpost(['init', '--non-interactive', ...SITE_FLAGS, '--settlement-url', 'http://127.0.0.1:9/fsi/api', '--serial', byId, '--config', file, ...detectFlags()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('257b:3031 Decard social-security card reader @ 1-2');
    expect(r.out).toContain('"GDCA-POS"');
    expect(r.out).toContain('Longmai GM3000 USBKey (055c:db08) is plugged in but its PKCS#11 driver (libgm3000_pkcs11.so) was not found');
    expect(r.out).not.toContain('ttyS1'); // an 8250 placeholder is no port

    expect(statSync(file).mode & 0o777).toBe(0o640);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.site).toEqual(SITE);
    expect(Object.keys(doc.checks)).toEqual(['disk', 'memory', 'clock', 'reader-usb1', 'reader-serial1', 'usbkey', 'usbkey2', 'settlement']);
    expect(doc.checks['reader-usb1']).toMatchObject({ type: 'reader', mode: 'usb', usb: { ids: ['257b:3031'] } });
    expect(doc.checks['reader-serial1']).toMatchObject({ mode: 'serial-probe', port: byId });
    const tokens = [doc.checks.usbkey.tokens[0], doc.checks.usbkey2.tokens[0]];
    expect(tokens).toContainEqual({ module: '/usr/lib/softhsm/libsofthsm2.so', label: 'GDCA-POS', serial, env: [{ name: 'SOFTHSM2_CONF', value: hsm.conf }] });
    expect(tokens).toContainEqual(expect.objectContaining({ module: testModules().flags, label: 'FLAGS-KEY', serial: 'FLAGS0001' }));
    expect(doc.checks.settlement).toEqual({ endpoints: [{ name: 'settlement', kind: 'http', url: 'http://127.0.0.1:9/fsi/api' }] });
    // Detection read the token's info only: the module counted no login.
    expect(existsSync(loginCount) ? readFileSync(loginCount).length : 0).toBe(0);

    expect(guardpost(['config', 'validate', file]).code).toBe(0);

    // An existing config is never overwritten unasked; --force keeps the old one beside it.
    const before = readFileSync(file, 'utf8');
    const again = guardpost(['init', '--non-interactive', ...SITE_FLAGS, '--config', file, ...detectFlags()]);
    expect(again.code).toBe(69);
    expect(again.err).toContain('exists; guardpost init does not overwrite a config');
    expect(readFileSync(file, 'utf8')).toBe(before);
    const forced = guardpost(['init', '--non-interactive', ...SITE_FLAGS, '--terminal-id', 'POS-02', '--force', '--config', file, ...detectFlags()]);
    expect(forced.code).toBe(0);
    const backup = readdirSync(join(tmp, 'etc')).find((f) => f.startsWith('config.json.bak-'))!;
    expect(readFileSync(join(tmp, 'etc', backup), 'utf8')).toBe(before);
    expect(JSON.parse(readFileSync(file, 'utf8')).site.terminalId).toBe('POS-02');
  });

  it('asks on the terminal, re-asks a malformed answer, and takes each device only when told to', () => {
    const file = join(tmp, 'asked.json');
    const answers = [
      'certserver', // profile
      'H4401060000', // institution code: one digit short
      'H44010600001',
      '示例医院',
      '440106',
      'CA-SRV-01',
      '', // no health URL
      'n', // the Decard reader: no
      '', // serial port: default no
      'y', // GDCA-POS
      'n', // FLAGS-KEY
    ].join('\n');
    const r = guardpost(['init', '--config', file, ...detectFlags()], {}, `${answers}\n`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('not valid: 定点医药机构编码');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.agent).toEqual({ profile: 'certserver' });
    expect(doc.site).toEqual({ fixmedins_code: 'H44010600001', fixmedins_name: '示例医院', mdtrtarea_admvs: '440106', terminalId: 'CA-SRV-01' });
    expect(Object.keys(doc.checks)).toEqual(['disk', 'memory', 'clock', 'usbkey']);
  });

  it('names what is missing or wrong, and writes nothing', () => {
    const file = join(tmp, 'never.json');
    const missing = guardpost(['init', '--non-interactive', '--institution-code', 'P44010600123', '--config', file, ...detectFlags()]);
    expect(missing.code).toBe(64);
    expect(missing.err).toContain('--non-interactive needs --institution-name, --area-code, --terminal-id');
    const bad = guardpost(['init', '--non-interactive', ...SITE_FLAGS, '--area-code', '4401', '--config', file, ...detectFlags()]);
    expect(bad.code).toBe(64);
    expect(bad.err).toContain('--area-code "4401": expected 就医地医保区划, 6 digits');
    const port = guardpost(['init', '--non-interactive', ...SITE_FLAGS, '--serial', '/dev/ttyUSB9', '--config', file, ...detectFlags()]);
    expect(port.code).toBe(64);
    expect(port.err).toContain('--serial /dev/ttyUSB9: no such serial port was detected');
    const ended = guardpost(['init', '--config', file, ...detectFlags()], {}, '');
    expect(ended.code).toBe(64);
    expect(existsSync(file)).toBe(false);
  });
});

interface Finding {
  area: string;
  subject: string;
  status: string;
  message: { en: string };
  fix?: { en: string };
}

describe.skipIf(!softhsmAvailable)('guardpost doctor', () => {
  let d: TestDesk;
  let desk: Desk;
  let deskSection: Record<string, unknown>;

  beforeAll(async () => {
    d = await initTestDesk();
    desk = await startDesk(d);
    deskSection = { enabled: true, ...(await agentDeskConfig(d, 'P44010600123-POS-01')) };
  }, 60_000);
  afterAll(async () => desk?.stop());

  const writeAgentConfig = (name: string, deskOver: Record<string, unknown> = {}, checks: Record<string, unknown> = {}) => {
    const file = join(tmp, name);
    const state = join(tmp, `${name}-state`);
    writeFileSync(
      file,
      JSON.stringify({
        site: SITE,
        checks: { disk: {}, usbkey: { type: 'token', tokens: [{ module: '/usr/lib/softhsm/libsofthsm2.so', label: 'GDCA-POS', env: [{ name: 'SOFTHSM2_CONF', value: hsm.conf }] }] }, ...checks },
        desk: { ...deskSection, ...deskOver },
        storage: { dir: state },
        logging: { file: join(state, 'agent.log') },
      }),
      { mode: 0o640 },
    );
    spawnSync('mkdir', ['-p', state]);
    return file;
  };
  const doctor = async (file: string) => {
    const r = await guardpostAsync(['doctor', '--config', file, '--json', '--no-service']);
    return { code: r.code, findings: (JSON.parse(r.out) as { findings: Finding[] }).findings, err: r.err };
  };
  const byStatus = (fs: Finding[], status: string) => fs.filter((f) => f.status === status).map((f) => `${f.area}: ${f.message.en}`);

  it('all well: config, modes, the token, the desk over mutual TLS, and the clock against it', async () => {
    const r = await doctor(writeAgentConfig('well.json'));
    expect(r.err).toBe('');
    expect(byStatus(r.findings, 'fail')).toEqual([]);
    expect(r.code).toBe(0);
    const areas = r.findings.map((f) => `${f.area} ${f.status}`);
    expect(areas).toEqual(expect.arrayContaining(['config ok', 'files ok', 'devices ok', 'desk ok', 'clock ok']));
    expect(r.findings.find((f) => f.area === 'devices')!.message.en).toBe('module loads, token "GDCA-POS" present');
    expect(r.findings.find((f) => f.area === 'clock')!.message.en).toMatch(/^-?[01] s off the desk's clock$/);
  });

  it('finds a world-readable key and a missing module, each with its fix; exit 2', async () => {
    const key = String(deskSection.keyFile);
    chmodSync(key, 0o644);
    try {
      const r = await doctor(writeAgentConfig('broken.json', {}, { reader: { type: 'token', tokens: [{ module: '/opt/lm-gm3000/lib/libgm3000_pkcs11.so' }] } }));
      expect(r.code).toBe(2);
      const keyFinding = r.findings.find((f) => f.subject === key)!;
      expect(keyFinding).toMatchObject({ status: 'fail', message: { en: "the terminal's private key is readable by other users (0644): its identity may have leaked" } });
      expect(keyFinding.fix!.en).toContain(`chmod 0600 ${key}`);
      const module = r.findings.find((f) => f.subject.includes('libgm3000_pkcs11.so'))!;
      expect(module.status).toBe('fail');
      expect(module.message.en).toContain('no such file (driver not installed?)');
      expect(module.fix!.en).toContain("reinstall the USBKey driver from the CA's package");
    } finally {
      chmodSync(key, 0o600);
    }
  });

  it('finds an expired client certificate before dialling the desk', async () => {
    const caPem = readFileSync(join(d.dir, 'ca.pem'), 'utf8');
    const caKeyPem = readFileSync(join(d.dir, 'ca.key'), 'utf8');
    const expired = await expiredAgentCert(caPem, caKeyPem, 'P44010600123-POS-01');
    const certFile = join(tmp, 'expired.crt');
    const keyFile = join(tmp, 'expired.key');
    writeFileSync(certFile, expired.certPem);
    writeFileSync(keyFile, expired.keyPem, { mode: 0o600 });
    const r = await doctor(writeAgentConfig('expired.json', { certFile, keyFile }));
    expect(r.code).toBe(2);
    const f = r.findings.find((x) => x.subject === certFile)!;
    expect(f.status).toBe('fail');
    expect(f.message.en).toMatch(/^the agent certificate expired on 2024-01-02T00:00:00\.000Z; the desk refuses it$/);
    expect(f.fix!.en).toContain('guardpost desk-cli enroll-code');
    expect(r.findings.some((x) => x.area === 'desk' && x.message.en.startsWith('desk reachable'))).toBe(false);
  });

  it('finds that the desk revoked this terminal', async () => {
    desk.store.enroll.revokeAgent('P44010600123-POS-01', 'test', new Date().toISOString());
    const r = await doctor(writeAgentConfig('revoked.json'));
    expect(r.code).toBe(2);
    expect(byStatus(r.findings, 'fail')).toEqual([expect.stringMatching(/^desk: the desk refuses this terminal \(revoked\)/)]);
  });

  it('prints each finding with its fix in the operator\'s language', async () => {
    const file = writeAgentConfig('text.json', {}, { reader: { type: 'token', tokens: [{ module: '/nonexistent/libx.so' }] } });
    const r = await guardpostAsync(['doctor', '--config', file, '--no-service', '--lang', 'zh']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/✗ \[devices\] reader: \/nonexistent\/libx\.so: PKCS#11 模块无法加载/);
    expect(r.out).toContain('    → 按 CA 的安装包重装 USBKey 驱动');
  });

  it('a config that does not load is the one finding, with the fix', async () => {
    const file = join(tmp, 'bad.json');
    writeFileSync(file, JSON.stringify({ site: { ...SITE, mdtrtarea_admvs: '44' } }));
    const r = await doctor(file);
    expect(r.code).toBe(2);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ area: 'config', status: 'fail' });
    expect(r.findings[0]!.message.en).toContain('site.mdtrtarea_admvs');
  });
});

async function expiredAgentCert(caPem: string, caKeyPem: string, agentId: string): Promise<{ certPem: string; keyPem: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const caCert = new x509.X509Certificate(caPem);
  const der = Buffer.from(caKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const { subtle } = webcrypto;
  const caKey = await subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const keys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '0badc0de',
    subject: `CN=${agentId}`,
    issuer: caCert.subject,
    notBefore: new Date('2023-01-01T00:00:00Z'),
    notAfter: new Date('2024-01-02T00:00:00Z'),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: alg,
  });
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { certPem: cert.toString('pem'), keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n` };
}

