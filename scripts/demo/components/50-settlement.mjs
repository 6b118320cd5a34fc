// Demo part: a local HTTPS "settlement platform" with its own CA (made with openssl), watched by a settlement check.
// It answers like the platform's front end; create the file named in the notes to make it answer 503 "系统维护"
// (PLATFORM_HTTP_ERROR), or stop the demo's server to see PLATFORM_UNREACHABLE.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function makePki(dir) {
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  if (!existsSync(join(dir, 'platform.pem'))) {
    run(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Guardpost Demo Platform CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    run(['req', ...EC, '-keyout', 'platform.key', '-out', 'platform.csr', '-subj', '/CN=localhost']);
    writeFileSync(join(dir, 'platform.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
    run(['x509', '-req', '-in', 'platform.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365', '-sha256', '-extfile', 'platform.ext', '-out', 'platform.pem']);
  }
  return { caFile: join(dir, 'ca.pem'), cert: join(dir, 'platform.pem'), key: join(dir, 'platform.key') };
}

export async function setup({ dir }) {
  let pki;
  try {
    pki = makePki(dir);
  } catch (err) {
    console.error(`demo: 50-settlement needs the openssl command (${err.message}); skipped`);
    return null;
  }
  const maintenance = join(dir, 'maintenance');
  const { readFileSync } = await import('node:fs');
  const server = https.createServer({ cert: readFileSync(pki.cert), key: readFileSync(pki.key) }, (req, res) => {
    req.resume();
    if (existsSync(maintenance)) return void res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('系统维护');
    res.writeHead(200, { 'Content-Type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify({ infcode: 0, err_msg: null, output: { status: 'UP' } }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const url = `https://localhost:${port}/fsi/api/rsfComIfsService/callService`;
  return {
    checks: {
      settlement: {
        intervalSeconds: 30,
        endpoints: [
          { name: 'demo-platform', url, expectStatus: [200], bodyMatch: '"infcode":0', trust: { mode: 'caFile', caFile: pki.caFile } },
          { name: 'demo-platform-port', kind: 'tcp', host: '127.0.0.1', port },
        ],
        proxy: { mode: 'none' },
        certificates: { anchors: [pki.caFile] },
      },
    },
    notes: [`settlement platform at ${url} (self-made CA ${pki.caFile}); touch ${maintenance} to see PLATFORM_HTTP_ERROR`],
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
