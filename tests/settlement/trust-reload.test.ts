import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from './support/pki.js';
import { httpsServer, type Running } from './support/servers.js';
import { settlementProbe, subject } from './support/run.js';

/** The TLS context is built once per trust setting (agent/net CaStore); a changed CA file must still take effect at once. */
let pki: TestPki;
let server: Running;
beforeAll(async () => {
  pki = makeTestPki();
  server = await httpsServer(pki.valid, pki.key);
});
afterAll(() => server.close());

describe('trust.caFile with the cached TLS context', () => {
  it('a CA file rewritten between two runs of the same probe is used by the next run', async () => {
    const caFile = join(pki.dir, 'platform-ca-reloaded.pem');
    writeFileSync(caFile, readFileSync(join(pki.dir, 'rogue.pem'))); // the wrong CA first
    const probe = settlementProbe({ endpoints: [{ name: 'platform', url: `https://localhost:${server.port}/`, trust: { mode: 'caFile', caFile }, checkCertificates: false }] });
    const signal = new AbortController().signal;
    expect(subject(await probe.run(signal), 'platform')).toMatchObject({ status: 'fail', reason: 'tls_untrusted' });
    expect(subject(await probe.run(signal), 'platform')).toMatchObject({ status: 'fail', reason: 'tls_untrusted' });
    writeFileSync(caFile, pki.caPem); // the platform's CA installed
    expect(subject(await probe.run(signal), 'platform')).toMatchObject({ status: 'ok' });
  });
});
