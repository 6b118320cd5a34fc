import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificateResults, inspectCertificates } from '../certs/index.js';
import { seriesSubjects } from './metrics-subjects.js';

/** Series names from the certificate engine's real results (openssl-made certificates), as tokens and files give them. */

const dir = mkdtempSync(join(tmpdir(), 'gp-web-series-'));
function certificate(name: string, cn: string, days: number, keyUsage = 'digitalSignature'): Uint8Array {
  const out = join(dir, `${name}.der`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, `${name}.key`), '-outform', 'DER', '-out', out,
    '-days', String(days), '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', `keyUsage=critical,${keyUsage}`], { stdio: 'ignore' });
  return readFileSync(out);
}

async function results(source: string, certificates: Array<{ der: Uint8Array; label?: string }>) {
  const now = new Date();
  return certificateResults(await inspectCertificates({ source, certificates }, {}, { now }), { now });
}

describe('seriesSubjects', () => {
  it('names a certificate by source and name, without the fingerprint its result subject ends with', async () => {
    const [r] = await results('token:ukey', [{ der: certificate('signer', 'Zhang San', 200), label: 'sign-cert' }]);
    expect(r!.subject).toMatch(/^token:ukey sign-cert [0-9a-f]{12}$/);
    const [s] = seriesSubjects([r!]);
    expect(s).toMatchObject({ subject: 'token:ukey sign-cert', certificate: { source: 'token:ukey', certificate: 'sign-cert', subjectDn: 'CN=Zhang San' } });
    expect(s!.certificate!.notAfter).toBe(Date.parse(String(r!.evidence.notAfter)) / 1000);
  });

  it('an old and a renewed certificate with one name in one file: the earliest keeps the name, the next is #2', async () => {
    const renewed = certificate('renewed', 'platform.example', 400);
    const old = certificate('old', 'platform.example', 20);
    const series = seriesSubjects(await results('/etc/gp/platform.pem', [{ der: renewed }, { der: old }]));
    expect(series.map((s) => [s.certificate!.certificate, Math.round((s.certificate!.notAfter! - Date.now() / 1000) / 86400)])).toEqual([
      ['platform.example #2', 400],
      ['platform.example', 20],
    ]);
    expect(new Set(series.map((s) => s.subject)).size).toBe(2);
  });

  it('a signing and an encryption certificate with one name are told apart by role', async () => {
    const sign = certificate('dual-sign', 'Li Si', 300, 'digitalSignature');
    const enc = certificate('dual-enc', 'Li Si', 300, 'keyEncipherment');
    const series = seriesSubjects(await results('token:gdca', [{ der: sign, label: 'Li Si' }, { der: enc, label: 'Li Si' }]));
    expect(series.map((s) => s.subject)).toEqual(['token:gdca Li Si (signing)', 'token:gdca Li Si (encryption)']);
  });

  it('leaves results that are not about one certificate as they are', async () => {
    const series = seriesSubjects(await results('/etc/gp/broken.pem', [{ der: Buffer.from('not a certificate') }]));
    expect(series).toHaveLength(1);
    expect(series[0]!.certificate).toBeUndefined();
    expect(series[0]!.subject).toBe(series[0]!.result.subject);
  });
});
