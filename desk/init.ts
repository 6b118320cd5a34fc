import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spkiPin } from '../agent/net/index.js';
import { DESK_LIMIT_DEFAULTS } from '../agent/tunnel/protocol/constants.js';
import { DESK_FILE, loadDeskConfig } from './config.js';
import { PRIVATE_DIR, privateDir, writePrivateFile } from './file-modes.js';
import { certFacts, createCa, issueAgentCert, issueServerCert } from './pki.js';
import { SqliteDeskStore } from './store/sqlite-store.js';

export interface InitOptions {
  dir: string;
  /** Host names and addresses agents use for the desk; the first is the desk's name. */
  names: string[];
  agentsPort: number;
  apiPort: number;
  agentsHost?: string;
  /** Port terminals enroll on with one-time codes; left out, the desk takes no enrollments. */
  enrollPort?: number;
}

/**
 * `guardpost desk init`: a new desk directory with its CA, server certificate (for the names given, plus localhost
 * and 127.0.0.1) and desk.json. Refuses to overwrite an existing desk: its CA is what every agent trusts.
 */
export async function initDesk(o: InitOptions): Promise<{ configFile: string; caPin: string; serverPin: string; url: string }> {
  const configFile = join(o.dir, DESK_FILE);
  if (existsSync(configFile) || existsSync(join(o.dir, 'ca.key'))) throw new Error(`${o.dir} already holds a desk (${DESK_FILE} or ca.key); agents trust its CA, so it is never overwritten`);
  privateDir(o.dir);
  const name = o.names[0] ?? 'localhost';
  const names = [...new Set([...o.names, 'localhost', '127.0.0.1'])];
  const ca = await createCa(`Guardpost desk CA (${name})`);
  const server = await issueServerCert(ca, names);
  writePrivateFile(join(o.dir, 'ca.pem'), ca.certPem);
  writePrivateFile(join(o.dir, 'ca.key'), ca.keyPem);
  writePrivateFile(join(o.dir, 'server.pem'), server.certPem);
  writePrivateFile(join(o.dir, 'server.key'), server.keyPem);
  privateDir(join(o.dir, 'agents'));
  const doc = {
    name,
    agents: { host: o.agentsHost ?? '0.0.0.0', port: o.agentsPort },
    api: { host: '127.0.0.1', port: o.apiPort },
    ...(o.enrollPort !== undefined ? { enroll: { host: o.agentsHost ?? '0.0.0.0', port: o.enrollPort, certDays: 365, attemptsPerMinute: 10 } } : {}),
    tls: { caCert: 'ca.pem', caKey: 'ca.key', cert: 'server.pem', key: 'server.key' },
    database: 'desk.db',
    log: { file: 'desk.log', level: 'info', stdout: true },
    policy: { heartbeatSeconds: 60, maxBatchEvents: 500, maxBatchBytes: 524288, windowEvents: 2000 },
    limits: { ...DESK_LIMIT_DEFAULTS },
    idleTimeoutSeconds: 150,
    helloTimeoutSeconds: 15,
    targets: { respondMinutes: 10, resolveHours: { critical: 12, major: 24 } },
  };
  writePrivateFile(configFile, `${JSON.stringify(doc, null, 2)}\n`);
  return { configFile, caPin: spkiPin(ca.certPem), serverPin: spkiPin(server.certPem), url: `wss://${name}:${o.agentsPort}/agent` };
}

/**
 * Issues an agent's client certificate by hand (until enrollment is automated) and returns the
 * agent's `desk` config section.
 */
export async function issueAgent(deskDir: string, agentId: string, outDir: string, passphrase?: string, days = 825) {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(agentId)) throw new Error(`agent id "${agentId}" must be 1–128 letters, digits, _ . -`);
  const config = loadDeskConfig(deskDir);
  const ca = { certPem: readFileSync(config.tls.caCert, 'utf8'), keyPem: readFileSync(config.tls.caKey, 'utf8') };
  const issued = await issueAgentCert(ca, agentId, days, passphrase);
  // Recorded so that desk-cli revoke can name this certificate; issued by hand, it replaces nothing.
  const facts = certFacts(issued.certPem);
  const store = new SqliteDeskStore(config.database);
  try {
    store.enroll.record({ serial: facts.serial, agentId, via: 'issue', issuedAt: new Date().toISOString(), notAfter: facts.notAfter });
  } finally {
    store.close();
  }
  // Created owner-only; an existing --out directory is the operator's and keeps its mode (the key file is 0600).
  mkdirSync(outDir, { recursive: true, mode: PRIVATE_DIR });
  const certFile = join(outDir, `${agentId}.pem`);
  const keyFile = join(outDir, `${agentId}.key`);
  const caFile = join(outDir, 'desk-ca.pem');
  writePrivateFile(certFile, issued.certPem);
  writePrivateFile(keyFile, issued.keyPem);
  writePrivateFile(caFile, ca.certPem);
  const host = config.name;
  return {
    enabled: true,
    url: `wss://${host}:${config.agents.port}/agent`,
    caFile,
    pins: [spkiPin(ca.certPem)],
    certFile,
    keyFile,
  };
}
