import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestPki, type TestPki } from '../../certs/test-support/pki.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { FaultCatalogue } from '../../core/faults/catalogue.js';
import { builtinPlugins } from '../all.js';
import { neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';
import type { CertConfig } from './schema.js';

let pki: TestPki;
let dir: string;
const config = (partial: Record<string, unknown>): CertConfig => checkConfigWithDefaults(plugin, partial);

beforeAll(async () => {
  pki = await getTestPki();
  dir = await mkdtemp(path.join(os.tmpdir(), 'gp-cert-'));
  await mkdir(path.join(dir, 'certs', 'old'), { recursive: true });
  for (const [from, to] of [
    ['rsa-leaf.pem', 'certs/rsa-leaf.pem'],
    ['rsa-exp20.pem', 'certs/rsa-exp20.pem'],
    ['sm2-sign.der', 'certs/gdca-sign.cer'],
    ['sm2-enc.der', 'certs/gdca-enc.cer'],
    ['sm2-expired.pem', 'certs/old/sm2-expired.pem'],
    ['ec-leaf.p12', 'ec-leaf.pfx'],
    ['rsa-int.pem', 'rsa-int.pem'],
  ]) {
    await copyFile(path.join(pki.dir, from!), path.join(dir, to!));
  }
  await writeFile(path.join(dir, 'certs', 'broken.pem'), '-----BEGIN CERTIFICATE-----\nMIIB$$$\n-----END CERTIFICATE-----\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(partial: Record<string, unknown>, env: Record<string, string> = {}): Promise<{ results: ProbeResult[]; cfg: CertConfig }> {
  const cfg = config(partial);
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const results = await plugin.createProbe(cfg, testContext({ now: () => new Date() })).run(neverAborted);
    return { results, cfg };
  } finally {
    process.env = saved;
  }
}
const byName = (results: ProbeResult[], part: string) => results.find((r) => r.subject.includes(part))!;

describe('cert check on real files', () => {
  it('reads PEM and DER files through globs and grades each certificate with the engine\'s rules', async () => {
    const { results, cfg } = await run({
      files: [path.join(dir, 'certs', '*.pem'), path.join(dir, 'certs', '*.cer'), path.join(dir, 'rsa-int.pem')],
      policy: { anchors: [pki.path('anchors')], intermediates: [pki.path('sm2-int')] },
    });
    const leaf = byName(results, 'rsa-leaf.pem');
    expect(leaf).toMatchObject({ status: 'ok', evidence: { chainStatus: 'verified', keyAlgorithm: 'RSA' } });
    expect(leaf.subject).toMatch(new RegExp(`^${path.join(dir, 'certs', 'rsa-leaf.pem')} rsa-leaf [0-9a-f]{12}$`));
    const exp20 = byName(results, 'rsa-exp20.pem');
    expect(plugin.rules(exp20, cfg)).toEqual({ code: 'CERT_EXPIRING', severity: 'major' });
    // The SM2 pair sits in two DER files; they pair by subject and both verify (GB/T distinguishing ID).
    const sign = byName(results, 'gdca-sign.cer');
    const enc = byName(results, 'gdca-enc.cer');
    expect(sign.evidence).toMatchObject({ role: 'signing', sm2Id: 'gbt', chainStatus: 'verified' });
    expect(enc.evidence.role).toBe('encryption');
    // Only *.pem directly in certs/: the expired one in old/ is not matched.
    expect(results.some((r) => r.subject.includes('sm2-expired'))).toBe(false);
    // The intermediate's own file is reported too (as a CA certificate).
    expect(byName(results, 'rsa-int.pem').evidence.kind).toBe('intermediate');
  });

  it('reports a broken file as CERT_UNPARSABLE naming the file and the byte offset', async () => {
    const { results, cfg } = await run({ files: [path.join(dir, 'certs', 'broken.pem')] });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'fail', reason: 'unparsable', evidence: { errorKind: 'bad_pem', offset: 32 } });
    expect(results[0]!.message.zh).toContain(path.join(dir, 'certs', 'broken.pem'));
    expect(plugin.rules(results[0]!, cfg)).toEqual({ code: 'CERT_UNPARSABLE', severity: 'major' });
    const missing = await run({ files: [path.join(dir, 'nope.pem'), path.join(dir, 'nothing', '*.cer')] });
    expect(missing.results.map((r) => [r.reason, r.evidence.error])).toEqual([
      ['unparsable', 'no file matches ' + path.join(dir, 'nothing', '*.cer')],
      ['unparsable', 'cannot read: ENOENT'],
    ]);
  });

  it('opens a PKCS#12 container with its password secret, and reports a missing one as unparsable', async () => {
    const pfx = path.join(dir, 'ec-leaf.pfx');
    const ok = await run({ files: [pfx], pkcs12: [{ path: pfx, password: { env: 'GP_TEST_PFX' } }] }, { GP_TEST_PFX: 'secret' });
    expect(ok.results).toHaveLength(1);
    expect(ok.results[0]).toMatchObject({ status: 'ok', evidence: { keyAlgorithm: 'EC', curve: 'P-256', label: 'ec-leaf' } });
    const wrong = await run({ files: [pfx], pkcs12: [{ path: path.join(dir, '*.pfx'), password: { env: 'GP_TEST_PFX' } }] }, { GP_TEST_PFX: 'nope' });
    expect(wrong.results[0]).toMatchObject({ reason: 'unparsable', evidence: { errorKind: 'bad_password' } });
    const unset = await run({ files: [pfx], pkcs12: [{ path: pfx, password: { env: 'GP_TEST_PFX_UNSET' } }] });
    expect(unset.results[0]!.evidence.error).toContain('GP_TEST_PFX_UNSET is not set');
    const none = await run({ files: [pfx] });
    expect(none.results[0]!.evidence.error).toBe('the PKCS#12 file needs a password');
  });

  it('catalogues the certificate faults once, for every check that raises them', () => {
    const catalogue = new FaultCatalogue(builtinPlugins);
    for (const code of ['CERT_EXPIRING', 'CERT_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_CHAIN_INVALID', 'CERT_REVOKED', 'CERT_WEAK', 'CERT_UNPARSABLE', 'CRL_STALE', 'REVOCATION_UNAVAILABLE']) {
      expect(catalogue.byCode.get(code)?.owner).toBe('cert');
    }
  });
});
