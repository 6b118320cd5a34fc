// Demo part: a SoftHSM2 "USBKey" in a private token directory, holding an RSA signing certificate, an SM2
// signing + encryption pair (GB/T distinguishing ID) and an RSA certificate that expires in 20 days, watched by the
// token check (isolated child process, every 5 s). Pull the key by moving its directory away and see
// TOKEN_NOT_PRESENT; the expiring certificate shows as CERT_EXPIRING (major).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '123456';
const onPath = (cmd) => (process.env.PATH ?? '').split(delimiter).some((d) => existsSync(join(d, cmd)));

export async function setup({ dir }) {
  if (!existsSync(MODULE) || !onPath('softhsm2-util') || !onPath('pkcs11-tool') || !onPath('openssl')) {
    console.log('demo: 30-token skipped: softhsm2, opensc (pkcs11-tool) and openssl are needed (bash scripts/setup-system.sh test)');
    return null;
  }
  rmSync(dir, { recursive: true, force: true }); // a fresh token every start
  const tokens = join(dir, 'tokens');
  const unplugged = join(dir, 'unplugged');
  const pki = join(dir, 'pki');
  for (const d of [tokens, unplugged, pki]) mkdirSync(d, { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const run = (cmd, args, cwd = pki) => execFileSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });

  // Certificates: an RSA CA with two leaves (one expiring in 20 days), an SM2 CA with a dual pair.
  const ext = (name, usage) => writeFileSync(join(pki, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,${usage}\n`);
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Demo RSA CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  for (const [name, cn, days] of [['sign', '演示收费员 demo cashier', '365'], ['soon', 'expiring soon', '20']]) {
    ext(name, 'digitalSignature,nonRepudiation');
    run('openssl', ['req', '-utf8', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    run('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', days, '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  }
  const ID = 'distid:1234567812345678';
  run('openssl', ['genpkey', '-algorithm', 'SM2', '-out', 'sm2-ca.key']);
  run('openssl', ['req', '-x509', '-new', '-key', 'sm2-ca.key', '-sm3', '-sigopt', ID, '-days', '3650', '-subj', '/CN=Demo SM2 CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'sm2-ca.pem']);
  for (const [name, usage] of [['sm2-sig', 'digitalSignature,nonRepudiation'], ['sm2-enc', 'keyEncipherment,dataEncipherment']]) {
    ext(name, usage);
    run('openssl', ['genpkey', '-algorithm', 'SM2', '-out', `${name}.key`]);
    run('openssl', ['req', '-utf8', '-new', '-key', `${name}.key`, '-sm3', '-sigopt', ID, '-subj', '/CN=演示药房 demo pharmacy', '-out', `${name}.csr`]);
    run('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', 'sm2-ca.pem', '-CAkey', 'sm2-ca.key', '-CAcreateserial', '-sm3', '-sigopt', ID, '-vfyopt', ID,
      '-days', '365', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  }

  // The token, and the public certificate objects on it (no PIN is ever given to the agent).
  run('softhsm2-util', ['--init-token', '--free', '--label', 'demo-usbkey', '--so-pin', '12345678', '--pin', PIN]);
  const tokenDir = readdirSync(tokens)[0];
  const objects = [['sign', '01', 'rsa-sign'], ['soon', '03', 'rsa-expiring'], ['sm2-sig', '02', 'LAB_USERCERT_SIG'], ['sm2-enc', '02', 'LAB_USERCERT_ENC']];
  for (const [name, id, label] of objects) {
    run('openssl', ['x509', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.der`]);
    run('pkcs11-tool', ['--module', MODULE, '--token-label', 'demo-usbkey', '--login', '--pin', PIN, '--write-object', `${name}.der`, '--type', 'cert', '--id', id, '--label', label]);
  }

  return {
    checks: {
      usbkey: {
        type: 'token',
        intervalSeconds: 5,
        timeoutSeconds: 4,
        tokens: [{ module: MODULE, name: 'demo-usbkey', label: 'demo-usbkey', certificates: { anchors: [join(pki, 'ca.pem'), join(pki, 'sm2-ca.pem')] } }],
      },
    },
    // SoftHSM reads its configuration from the environment of the process that loads it: the agent's isolated child.
    env: { SOFTHSM2_CONF: conf },
    notes: [
      `SoftHSM2 token "demo-usbkey" in ${tokens}: RSA + SM2 dual certificates, one expiring in 20 days (CERT_EXPIRING)`,
      `pull the key: mv ${join(tokens, tokenDir)} ${unplugged}/   (TOKEN_NOT_PRESENT within 5 s; move it back to re-plug)`,
      `a wrong PIN elsewhere: pkcs11-tool --module ${MODULE} --token-label demo-usbkey --login --pin 000000 -O  (with SOFTHSM2_CONF=${conf}) → TOKEN_PIN_COUNT_LOW`,
    ],
  };
}
