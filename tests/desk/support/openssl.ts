import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './harness.js';

/** Certificates made with the openssl CLI at test time: a CA the desk does not know, and certificates it signs. */
export interface ForeignPki {
  dir: string;
  caFile: string;
  caKey: string;
  issue(cn: string, usage: 'client' | 'server', names?: string[]): { certFile: string; keyFile: string };
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

export function foreignPki(): ForeignPki {
  const dir = tmp('gp-foreign-');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Foreign CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
  let n = 0;
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    issue(cn, usage, names = []) {
      const base = `cert-${++n}`;
      openssl(['req', ...ec, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${cn}`], dir);
      const ext = [`extendedKeyUsage=${usage === 'client' ? 'clientAuth' : 'serverAuth'}`];
      if (names.length) ext.push(`subjectAltName=${names.map((x) => (/^[\d.]+$/.test(x) ? `IP:${x}` : `DNS:${x}`)).join(',')}`);
      writeFileSync(join(dir, `${base}.ext`), `${ext.join('\n')}\n`);
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${base}.pem`, '-days', '30', '-extfile', `${base}.ext`], dir);
      return { certFile: join(dir, `${base}.pem`), keyFile: join(dir, `${base}.key`) };
    },
  };
}
