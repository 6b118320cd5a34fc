// Demo part: certificate files watched by the cert check — an RSA CA with a server certificate valid for a year and
// a client certificate that expires in 60 days (CERT_EXPIRING, minor: inside the CAs' 90-day renewal window), plus
// the CA's CRL. Revoke the server certificate (command below) and see CERT_REVOKED on the next run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const onPath = (cmd) => (process.env.PATH ?? '').split(delimiter).some((d) => existsSync(join(d, cmd)));

export async function setup({ dir }) {
  if (!onPath('openssl')) {
    console.log('demo: 40-cert skipped: openssl is needed');
    return null;
  }
  rmSync(dir, { recursive: true, force: true });
  const ca = join(dir, 'ca');
  const certs = join(dir, 'certs');
  for (const d of [join(ca, 'newcerts'), certs]) mkdirSync(d, { recursive: true });
  writeFileSync(join(ca, 'index.txt'), '');
  writeFileSync(join(ca, 'serial'), '1000\n');
  writeFileSync(join(ca, 'crlnumber'), '01\n');
  writeFileSync(join(dir, 'ca.cnf'), `[ ca ]\ndefault_ca = d\n[ d ]\ndir = ./ca\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/newcerts\nserial = $dir/serial\ncrlnumber = $dir/crlnumber\ncertificate = ./ca.pem\nprivate_key = ./ca.key\ndefault_md = sha256\ndefault_crl_days = 30\npolicy = p\nunique_subject = no\n[ p ]\ncommonName = supplied\n[ leaf ]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\n`);
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Demo Certificate Server CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  for (const [name, days] of [['server', 365], ['client-expiring', 60]]) {
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=demo ${name}`]);
    run(['ca', '-batch', '-notext', '-config', 'ca.cnf', '-extensions', 'leaf', '-days', String(days), '-in', `${name}.csr`, '-out', join('certs', `${name}.pem`)]);
  }
  run(['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'ca.crl.pem']);
  return {
    checks: {
      'cert-files': {
        type: 'cert',
        files: [join(certs, '*.pem')],
        intervalSeconds: 30,
        policy: { anchors: [join(dir, 'ca.pem')], revocation: { crl: { files: [join(dir, 'ca.crl.pem')] } } },
      },
    },
    notes: [
      `certificate files in ${certs} (client-expiring.pem shows CERT_EXPIRING, minor)`,
      `revoke the server certificate: (cd ${dir} && openssl ca -config ca.cnf -revoke certs/server.pem && openssl ca -config ca.cnf -gencrl -out ca.crl.pem)`,
    ],
  };
}
