/** Test PKI made with the openssl CLI: a platform CA, and server certificates valid, expired, for another name, from an unknown CA. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  /** PEM file of the platform CA (the trust.caFile of the tests). */
  caFile: string;
  caPem: string;
  key: string;
  valid: string;
  expired: string;
  wrongHost: string;
  unknownCa: string;
}

const openssl = (dir: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
};

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function makeCa(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3650', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function ext(dir: string, name: string, san: string): string {
  const file = `${name}.ext`;
  writeFileSync(join(dir, file), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  return file;
}

function sign(dir: string, ca: string, out: string, san: string): void {
  openssl(dir, ['x509', '-req', '-in', 'leaf.csr', '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '365', '-sha256',
    '-extfile', ext(dir, out, san), '-out', `${out}.pem`]);
}

/** About ten openssl runs with EC keys: well under a second. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'gp-settlement-pki-'));
  makeCa(dir, 'ca', 'Guardpost Test Platform CA');
  makeCa(dir, 'rogue', 'Unknown Test CA');
  openssl(dir, ['req', ...EC, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost']);
  sign(dir, 'ca', 'valid', 'DNS:localhost,IP:127.0.0.1');
  sign(dir, 'ca', 'wrong-host', 'DNS:platform.other.example');
  sign(dir, 'rogue', 'unknown-ca', 'DNS:localhost,IP:127.0.0.1');
  // A properly expired certificate needs `openssl ca` (x509 -days -1 gives notAfter before notBefore).
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db', 'index.txt'), '');
  writeFileSync(join(dir, 'db', 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    ['[ ca ]', 'default_ca = CA_default', '[ CA_default ]', 'dir = ./db', 'database = $dir/index.txt', 'new_certs_dir = $dir', 'serial = $dir/serial',
      'certificate = ./ca.pem', 'private_key = ./ca.key', 'default_md = sha256', 'policy = policy_any', 'unique_subject = no', 'copy_extensions = none',
      '[ policy_any ]', 'commonName = supplied', '[ leaf_ext ]', 'basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = serverAuth', 'subjectAltName = DNS:localhost,IP:127.0.0.1', ''].join('\n'),
  );
  openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-extensions', 'leaf_ext', '-startdate', '20240101000000Z', '-enddate', '20250101000000Z',
    '-in', 'leaf.csr', '-out', 'expired-dump.pem']);
  const pemBlock = (text: string): string => /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)![0];
  writeFileSync(join(dir, 'expired.pem'), pemBlock(readFileSync(join(dir, 'expired-dump.pem'), 'utf8')));
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: read('ca.pem'),
    key: read('leaf.key'),
    valid: read('valid.pem'),
    expired: read('expired.pem'),
    wrongHost: read('wrong-host.pem'),
    unknownCa: read('unknown-ca.pem'),
  };
}
