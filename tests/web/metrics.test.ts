import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { METRICS } from '../../agent/web/metrics-definitions.js';
import { formatValue } from '../../agent/web/metrics-text.js';
import { parseExposition, type ParsedFamily } from './exposition.js';
import { Fixture, type TestAgent } from './support.js';

/** GET /metrics of a real agent (backup, certificate file, an HTTPS endpoint on loopback) through its real page server. */

const fx = new Fixture();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await fx.close();
});

/** A self-signed certificate made by openssl (EC P-256), valid `days` from now. */
function selfSigned(dir: string, name: string, cn: string, days: number): { file: string; pem: string; key: string } {
  const file = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', file, '-days', String(days),
    '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`], { stdio: 'ignore' });
  return { file, pem: readFileSync(file, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** An HTTPS platform on 127.0.0.1 whose answer status the test sets. */
async function platform(cert: { pem: string; key: string }): Promise<{ port: number; status: { code: number } }> {
  const status = { code: 200 };
  const server = https.createServer({ cert: cert.pem, key: cert.key }, (req, res) => {
    req.resume();
    res.writeHead(status.code, { 'Content-Type': 'application/json' }).end('{"infcode":0}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, status };
}

interface Setup {
  t: TestAgent;
  backups: string;
  certFile: string;
  platformStatus: { code: number };
  scrape(): Promise<{ text: string; families: Map<string, ParsedFamily> }>;
}

async function setup(): Promise<Setup> {
  const dir = fx.tempDir('gp-web-metrics-');
  const backups = fx.tempDir('gp-web-metrics-backups-');
  const watched = selfSigned(dir, 'watched', 'gp-metrics-watched', 30);
  const server = selfSigned(dir, 'server', 'localhost', 60);
  const p = await platform(server);
  const t = await fx.agent({
    backup: { directory: backups, pattern: '*.bak', raiseAfter: 1, clearAfter: 1, intervalSeconds: 3600 },
    cert: { files: [watched.file], intervalSeconds: 3600 },
    settlement: {
      endpoints: [{ name: 'platform', url: `https://localhost:${p.port}/fsi`, trust: { mode: 'caFile', caFile: server.file }, expectStatus: [200], useProxy: false }],
      intervalSeconds: 3600,
    },
  });
  await t.agent.runNow();
  const api = await fx.page(t);
  const scrape = () =>
    new Promise<{ text: string; families: Map<string, ParsedFamily> }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: api.port, path: '/metrics' }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
          try {
            expect(res.statusCode).toBe(200);
            expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
            resolve({ text, families: parseExposition(text) });
          } catch (err) {
            reject(err);
          }
        });
      }).on('error', reject);
    });
  return { t, backups, certFile: watched.file, platformStatus: p.status, scrape };
}

const ids = (f: Map<string, ParsedFamily>, name: string): string[] => f.get(name)!.samples.map((s) => s.id).sort();
const sample = (f: Map<string, ParsedFamily>, name: string, labels: Record<string, string>) =>
  f.get(name)!.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('GET /metrics', () => {
  it('is valid exposition: every defined family once, in the table\'s order, labels as defined, values without float noise', async () => {
    const { scrape } = await setup();
    const { families } = await scrape();
    const defs = Object.values(METRICS);
    expect([...families.keys()]).toEqual(defs.map((d) => d.name));
    for (const d of defs) {
      const f = families.get(d.name)!;
      expect(f, d.name).toMatchObject({ help: d.help, type: d.type });
      for (const s of f.samples) {
        expect(s.labelNames, s.id).toEqual(d.labels.map((l) => l.name));
        expect(s.raw, s.id).toBe(formatValue(s.value)); // canonical: no 0.00007000000000000001
        expect(s.raw.replace(/^-|e.*$/g, '').replace('.', '').replace(/^0+/, '').length, s.id).toBeLessThanOrEqual(15);
      }
    }
    // Phases are there, in seconds: a loopback TLS handshake takes well under a second.
    const tls = sample(families, 'guardpost_check_phase_duration_seconds', { check: 'settlement', subject: 'platform', phase: 'tls' })!;
    expect(tls.value).toBeGreaterThan(0);
    expect(tls.value).toBeLessThan(1);
  });

  it('has an expiry gauge for every watched certificate, named by source and name, with the fingerprint only in the _info series', async () => {
    const { scrape, certFile } = await setup();
    const { families } = await scrape();
    const notAfter = Date.parse(new X509Certificate(readFileSync(certFile)).validTo) / 1000;
    expect(sample(families, 'guardpost_certificate_not_after_timestamp_seconds', { check: 'cert', source: certFile, certificate: 'gp-metrics-watched' })?.value).toBe(notAfter);
    const endpoint = sample(families, 'guardpost_certificate_not_after_timestamp_seconds', { check: 'settlement', source: 'tls:platform', certificate: 'localhost server' });
    expect(endpoint?.value).toBeGreaterThan(Date.now() / 1000 + 59 * 86400);
    const info = sample(families, 'guardpost_certificate_info', { check: 'cert', source: certFile })!;
    expect(info.labels).toMatchObject({ certificate: 'gp-metrics-watched', subject_dn: 'CN=gp-metrics-watched', issuer_dn: 'CN=gp-metrics-watched' });
    expect(info.labels.sha256).toMatch(/^[0-9a-f]{64}$/);
    // No other series names a fingerprint.
    for (const f of families.values()) {
      if (f.name === 'guardpost_certificate_info') continue;
      for (const s of f.samples) expect(s.id, f.name).not.toContain(info.labels.sha256!.slice(0, 12));
    }
    // 30 days left is "expiring" by the default policy (90 days): up 0, the reason beside it.
    expect(sample(families, 'guardpost_check_up', { check: 'cert', subject: `${certFile} gp-metrics-watched` })?.value).toBe(0);
    expect(sample(families, 'guardpost_check_reason_info', { check: 'cert', subject: `${certFile} gp-metrics-watched` })?.labels.reason).toBe('expiring');
  });

  it('keeps every series\' identity when the values change; only the _info series follow the reason', async () => {
    const s = await setup();
    s.t.agent.setTunnelStatus(() => ({ state: 'connecting' }));
    const before = (await s.scrape()).families;
    writeFileSync(join(s.backups, 'today.bak'), 'backup');
    s.platformStatus.code = 503; // the platform answers, wrongly: the chain is still seen
    s.t.agent.setTunnelStatus(() => ({ state: 'connected' }));
    await s.t.agent.runNow();
    const after = (await s.scrape()).families;

    expect(sample(before, 'guardpost_check_up', { check: 'backup' })?.value).toBe(0);
    expect(sample(after, 'guardpost_check_up', { check: 'backup' })?.value).toBe(1);
    expect(sample(before, 'guardpost_check_up', { check: 'settlement', subject: 'platform' })?.value).toBe(1);
    expect(sample(after, 'guardpost_check_up', { check: 'settlement', subject: 'platform' })?.value).toBe(0);
    expect(sample(before, 'guardpost_tunnel_up', {})?.value).toBe(0);
    expect(sample(after, 'guardpost_tunnel_up', {})?.value).toBe(1);
    expect(sample(before, 'guardpost_tunnel_state', { state: 'connecting' })?.value).toBe(1);
    expect(sample(after, 'guardpost_tunnel_state', { state: 'connecting' })?.value).toBe(0);
    expect(sample(after, 'guardpost_tunnel_state', { state: 'connected' })?.value).toBe(1);
    expect(sample(before, 'guardpost_faults_open', { severity: 'critical', state: 'open' })?.value).toBeGreaterThan(0);

    for (const name of ['guardpost_check_up', 'guardpost_check_duration_seconds', 'guardpost_tunnel_up', 'guardpost_tunnel_state', 'guardpost_faults_open',
      'guardpost_certificate_not_after_timestamp_seconds', 'guardpost_certificate_info', 'guardpost_page_refused_requests_total']) {
      expect(ids(after, name), name).toEqual(ids(before, name));
    }
    // The reason moved from one _info series to another, as designed.
    const reasons = (f: Map<string, ParsedFamily>) => sample(f, 'guardpost_check_reason_info', { check: 'settlement', subject: 'platform' })?.labels.reason;
    expect([reasons(before), reasons(after)]).toEqual(['ok', 'http_status']);
  });

  it('a renewed certificate continues its series: a later expiry in the same series, a new fingerprint in the _info series', async () => {
    const s = await setup();
    const before = (await s.scrape()).families;
    const renewed = selfSigned(fx.tempDir('gp-web-metrics-renewed-'), 'renewed', 'gp-metrics-watched', 400);
    writeFileSync(s.certFile, renewed.pem);
    await s.t.agent.runNow(['cert']);
    const after = (await s.scrape()).families;

    const labels = { check: 'cert', source: s.certFile, certificate: 'gp-metrics-watched' };
    const grown = sample(after, 'guardpost_certificate_not_after_timestamp_seconds', labels)!.value - sample(before, 'guardpost_certificate_not_after_timestamp_seconds', labels)!.value;
    expect(grown).toBeGreaterThan(369 * 86400);
    expect(ids(after, 'guardpost_certificate_not_after_timestamp_seconds')).toEqual(ids(before, 'guardpost_certificate_not_after_timestamp_seconds'));
    expect(ids(after, 'guardpost_check_up')).toEqual(ids(before, 'guardpost_check_up'));
    expect(sample(after, 'guardpost_certificate_info', labels)!.labels.sha256).not.toBe(sample(before, 'guardpost_certificate_info', labels)!.labels.sha256);
  });
});
