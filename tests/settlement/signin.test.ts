import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin } from '../../agent/checks/settlement/index.js';
import { signinEnvelope, resolveSignin } from '../../agent/checks/settlement/signin.js';
import { testContext } from '../../agent/checks/shared/testing.js';
import { Secret } from '../../agent/core/config/secret.js';
import { httpServer, type Running } from './support/servers.js';
import { settlementConfig, SITE, subject } from './support/run.js';

interface Seen {
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
}

let platform: Running;
const seen: Seen[] = [];
let answer: Record<string, unknown> = {};
beforeAll(async () => {
  platform = await httpServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST') return void res.writeHead(200).end('ok');
      seen.push({ headers: req.headers, body: JSON.parse(raw) as Record<string, any> });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
});
afterAll(() => platform.close());

/** A config as the loader hands it over: secrets resolved to Secret objects. */
function config(signin: Record<string, unknown>) {
  const cfg = settlementConfig({ endpoints: [{ name: 'platform', url: platform.url }], signin: { enabled: true, url: `${platform.url}fsi/api/9001`, ...signin } });
  Object.assign(cfg.signin!, {
    accessKey: new Secret('AK-test-0001', 'test'),
    secretKey: new Secret('SK-very-secret', 'test'),
    signNo: new Secret('SIGNNO-PRIOR-1', 'test'),
  });
  return cfg;
}

describe('optional 9001 sign-in probe', () => {
  it('posts the envelope from the site config, signs the gateway headers, reports infcode only and keeps no sign_no', async () => {
    answer = { infcode: 0, err_msg: null, output: { signinoutb: { sign_no: 'SIGNNO-FROM-PLATFORM', sign_time: '2025-03-10 08:00:00' } } };
    const before = seen.length;
    const probe = plugin.createProbe(config({ apiName: 'hsa.fsi.9001', apiVersion: '1.0.0', opter: 'POS-01-OP', mac: '00-11-22-33-44-55', ip: '10.0.0.8' }), { ...testContext(), site: SITE, env: {} } as never);
    const results = await probe.run(new AbortController().signal);
    const r = subject(results, 'signin-9001');
    expect(r).toMatchObject({ status: 'ok', reason: 'ok', evidence: { infcode: 0, err_msg: '' }, labels: { host: '127.0.0.1', kind: 'signin' } });
    expect(JSON.stringify(results)).not.toMatch(/SIGNNO|AK-test|SK-very/);

    expect(seen.length).toBe(before + 1);
    const { body, headers } = seen.at(-1)!;
    expect(body).toMatchObject({
      infno: '9001',
      opter_type: '2',
      infver: 'V1.0',
      fixmedins_code: SITE.fixmedins_code,
      fixmedins_name: SITE.fixmedins_name,
      mdtrtarea_admvs: SITE.mdtrtarea_admvs,
      opter: 'POS-01-OP',
      sign_no: 'SIGNNO-PRIOR-1',
      input: { signIn: { opter_no: 'POS-01-OP', mac: '00-11-22-33-44-55', ip: '10.0.0.8' } },
    });
    expect(body.msgid).toMatch(new RegExp(`^${SITE.fixmedins_code}\\d{14}\\d{4}$`));
    expect(body.inf_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const ts = String(headers._api_timestamp);
    const expected = createHmac('sha1', 'SK-very-secret').update(`_api_access_key=AK-test-0001&_api_name=hsa.fsi.9001&_api_timestamp=${ts}&_api_version=1.0.0`).digest('base64');
    expect(headers).toMatchObject({ _api_access_key: 'AK-test-0001', _api_name: 'hsa.fsi.9001', _api_signature: expected, 'content-type': 'application/json;charset=utf-8' });

    // A real business transaction: the next run within everyMinutes repeats the last answer without signing in again.
    const again = await probe.run(new AbortController().signal);
    expect(subject(again, 'signin-9001').status).toBe('ok');
    expect(seen.length).toBe(before + 1);
  });

  it('a rejection → signin_rejected with infcode and err_msg → SIGNIN_FAILED major', async () => {
    answer = { infcode: -1, err_msg: '操作员未登记', output: {} };
    const cfg = config({});
    const results = await plugin.createProbe(cfg, { ...testContext(), site: SITE, env: {} } as never).run(new AbortController().signal);
    const r = subject(results, 'signin-9001');
    expect(r).toMatchObject({ status: 'fail', reason: 'signin_rejected', evidence: { infcode: -1, err_msg: '操作员未登记' } });
    expect(r.message.zh).toContain('操作员未登记');
    expect(plugin.rules(r, cfg)).toEqual({ code: 'SIGNIN_FAILED', severity: 'major' });
    // Defaults: opter is the site's terminal id.
    expect(seen.at(-1)!.body.opter).toBe(SITE.terminalId);
  });

  it('an answer that is not the platform\'s JSON → signin_bad_response; an unreachable URL → signin_unreachable', async () => {
    answer = { hello: 'world' };
    const cfg = config({});
    const first = await plugin.createProbe(cfg, { ...testContext(), site: SITE, env: {} } as never).run(new AbortController().signal);
    expect(subject(first, 'signin-9001')).toMatchObject({ subject: 'signin-9001', reason: 'signin_bad_response', evidence: { error: 'NO_INFCODE' } });
    const off = config({ url: 'http://settlement.invalid/9001' });
    const results = await plugin.createProbe(off, { ...testContext(), site: SITE, env: {} } as never).run(new AbortController().signal);
    expect(subject(results, 'signin-9001')).toMatchObject({ reason: 'signin_unreachable', evidence: { transportReason: 'dns_not_found' } });
  });

  it('is off by default, and refuses to start without the site config or a URL', () => {
    const plain = settlementConfig({ endpoints: [{ name: 'p', url: 'http://127.0.0.1:1/' }] });
    expect(plain.signin!.enabled).toBe(false);
    expect(() => plugin.createProbe(config({}), { ...testContext(), env: {} } as never)).toThrow(/checks\.test\.signin: the site config/);
    expect(() => plugin.createProbe(config({ url: '' }), { ...testContext(), site: SITE, env: {} } as never)).toThrow(/signin\.url: missing/);
  });

  it('builds msgid from the institution code, local time and a 4-digit sequence', () => {
    const s = resolveSignin(settlementConfig({ endpoints: [{ name: 'p', url: 'http://x/' }] }).signin);
    const env = signinEnvelope(s, SITE, new Date(2025, 2, 10, 8, 5, 9), 12_345);
    expect(env.msgid).toBe('P44010600123202503100805092345');
    expect(String(env.msgid)).toHaveLength(30);
    expect(env.inf_time).toBe('2025-03-10 08:05:09');
  });
});
