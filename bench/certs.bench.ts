/**
 * Certificate parse + chain verification throughput of the engine (agent/certs) for RSA-2048, ECDSA (P-256 leaves
 * under P-384 CAs) and SM2 (GB/T distinguishing ID) leaves, against `openssl verify` on the same certificates in the
 * same run (one openssl process verifying all of them, so its start-up is spread over N certificates).
 * - engine cold: inspectCertificates over N distinct leaves with remembered signatures forgotten first: every leaf
 *   is parsed and its signature verified (the intermediate's once);
 * - engine warm: the same again, signatures remembered (what an hourly re-check costs);
 * - parse only: parseCertificate alone.
 * RSA/ECDSA chains go to the root (intermediate untrusted). For SM2 both sides anchor at the intermediate
 * (`openssl verify -partial_chain -vfyopt distid:…`): openssl applies the distinguishing ID to the target only and
 * cannot verify the intermediate's GB/T signature.
 * Run: node --import tsx bench/certs.bench.ts   (prints a table, then one line "BENCH_JSON {...}")
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inspectCertificates, type CertificatePolicy } from '../agent/certs/index.js';
import { parseCertificate } from '../agent/certs/parse-certificate.js';
import { forgetVerifiedSignatures } from '../agent/certs/signature.js';
import { getTestPki } from '../agent/certs/test-support/pki.js';
import { printBenchJson, round, type SummaryRow } from './support/bench-util.js';

const run = promisify(execFile);
const N = { rsa: 200, ec: 200, sm2: 60 } as const;
type Family = keyof typeof N;
const SM2_ID = 'distid:1234567812345678';

/** N leaves on one key (issuing is the slow part, not what is measured), each a distinct certificate. */
async function issueLeaves(pkiDir: string, work: string, family: Family, n: number): Promise<string[]> {
  const files: string[] = [];
  const sm2 = family === 'sm2' ? ['-sm3', '-sigopt', SM2_ID, '-vfyopt', SM2_ID] : ['-sha256'];
  const csr = family === 'sm2' ? 'sm2-sign.csr' : `${family}-leaf.csr`;
  const one = async (i: number) => {
    const out = path.join(work, `${family}-${i}.pem`);
    await run('openssl', ['x509', '-req', '-in', csr, '-CA', `${family}-int.pem`, '-CAkey', `${family}-int.key`,
      '-set_serial', String(100000 + i), '-days', '365', ...sm2, '-out', out], { cwd: pkiDir });
    files.push(out);
  };
  for (let i = 0; i < n; i += 4) await Promise.all([0, 1, 2, 3].filter((k) => i + k < n).map((k) => one(i + k)));
  return files.sort();
}

async function opensslVerify(pkiDir: string, family: Family, files: string[]): Promise<number> {
  const args = family === 'sm2'
    ? ['verify', '-partial_chain', '-CAfile', 'sm2-int.pem', '-vfyopt', SM2_ID, ...files]
    : ['verify', '-CAfile', `${family}-root.pem`, '-untrusted', `${family}-int.pem`, ...files];
  const t = performance.now();
  const { stdout } = await run('openssl', args, { cwd: pkiDir, maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  const ok = stdout.split('\n').filter((l) => l.endsWith(': OK')).length;
  if (ok !== files.length) throw new Error(`openssl verify: ${ok}/${files.length} OK`);
  return ms;
}

const perSec = (n: number, ms: number) => round((n * 1000) / ms, 1);

async function main(): Promise<void> {
  const pki = await getTestPki();
  const work = await mkdtemp(path.join(tmpdir(), 'gp-certs-bench-'));
  const rows: { family: Family; n: number; engineCold: number; engineWarm: number; parse: number; openssl: number }[] = [];
  try {
    for (const family of ['rsa', 'ec', 'sm2'] as Family[]) {
      const files = await issueLeaves(pki.dir, work, family, N[family]);
      const ders = await Promise.all(files.map(async (f) => new Uint8Array(Buffer.from((await readFile(f, 'utf8')).replace(/-----[^-]+-----|\s/g, ''), 'base64'))));
      const policy: CertificatePolicy = family === 'sm2' ? { anchors: [pki.path('sm2-int')] } : { anchors: [pki.path(`${family}-root`)], intermediates: [pki.path(`${family}-int`)] };
      const input = { source: family, certificates: ders.map((der) => ({ der })) };
      await inspectCertificates({ source: 'warm-up', certificates: [{ der: pki.der(`${family}-int`) }] }, policy, { now: new Date() });

      forgetVerifiedSignatures();
      let t = performance.now();
      const reports = await inspectCertificates(input, policy, { now: new Date() });
      const engineCold = performance.now() - t;
      const verified = reports.filter((r) => r.chain.status === 'verified').length;
      if (verified !== ders.length) throw new Error(`${family}: engine verified ${verified}/${ders.length}`);
      t = performance.now();
      await inspectCertificates(input, policy, { now: new Date() });
      const engineWarm = performance.now() - t;
      t = performance.now();
      for (const der of ders) parseCertificate(der);
      const parse = performance.now() - t;
      const openssl = await opensslVerify(pki.dir, family, files);
      rows.push({ family, n: ders.length, engineCold, engineWarm, parse, openssl });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  console.log('family  N    engine cold/s  engine warm/s  parse only/s  openssl verify/s  cold/openssl');
  for (const r of rows) {
    const cold = perSec(r.n, r.engineCold);
    const ossl = perSec(r.n, r.openssl);
    console.log(
      `${r.family.padEnd(6)}  ${String(r.n).padEnd(4)} ${String(cold).padStart(13)}  ${String(perSec(r.n, r.engineWarm)).padStart(13)}  ${String(perSec(r.n, r.parse)).padStart(12)}  ${String(ossl).padStart(16)}  ${String(round(cold / ossl, 3)).padStart(12)}`,
    );
  }
  const summary: SummaryRow[] = rows.flatMap((r) => [
    { figure: `${r.family} parse+verify (cold)`, value: perSec(r.n, r.engineCold), unit: 'certs/s', baseline: perSec(r.n, r.openssl), ratio: round(perSec(r.n, r.engineCold) / perSec(r.n, r.openssl), 3) },
    { figure: `${r.family} parse+verify (warm)`, value: perSec(r.n, r.engineWarm), unit: 'certs/s', baseline: perSec(r.n, r.openssl), ratio: round(perSec(r.n, r.engineWarm) / perSec(r.n, r.openssl), 3) },
    { figure: `${r.family} parse only`, value: perSec(r.n, r.parse), unit: 'certs/s' },
  ]);
  printBenchJson({
    bench: 'certs',
    summary,
    rows: rows.map((r) => ({ ...r, engineCold: round(r.engineCold), engineWarm: round(r.engineWarm), parse: round(r.parse), openssl: round(r.openssl) })),
  });
}

await main();
