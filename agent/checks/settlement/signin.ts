import { createHmac } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Evidence, ProbeResult } from '../../core/checks/result.js';
import type { SiteConfig } from '../../core/config/schema.js';
import type { Secret } from '../../core/config/secret.js';
import { probeHttp, type ProbeEnv, type ProbeOutcome, type TrustSettings } from '../../net/index.js';
import { truncate } from '../shared/format.js';
import { resolveEndpoint, type ResolvedEndpoint } from '../shared/endpoint/endpoint.js';
import { TRUST_DEFAULTS } from '../shared/endpoint/schema.js';
import { SIGNIN_DEFAULTS, type SigninConfig } from './schema.js';

export const SIGNIN_SUBJECT = 'signin-9001';

/** Sign-in settings with defaults filled and secrets resolved by the loader. */
export interface SigninSettings {
  url: string;
  infver: string;
  opter: string;
  opterName: string;
  mac: string;
  ip: string;
  recerSysCode: string;
  devNo: string;
  signtype: string;
  everyMinutes: number;
  timeoutSeconds: number;
  headers: Record<string, string>;
  trust: TrustSettings;
  apiName: string;
  apiVersion: string;
  accessKey: Secret | null;
  secretKey: Secret | null;
  signNo: Secret | null;
}

export function resolveSignin(c: SigninConfig | undefined): SigninSettings {
  const s = { ...SIGNIN_DEFAULTS, ...(c ?? {}) } as unknown as SigninSettings;
  return { ...s, trust: { ...TRUST_DEFAULTS, pins: [], ...(c?.trust ?? {}) } as TrustSettings };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local time as the platform's envelope wants it: compact for msgid, spaced for inf_time. */
function stamp(d: Date): { compact: string; spaced: string } {
  const date = `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  return {
    compact: `${date}${time}`,
    spaced: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)} ${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}`,
  };
}

/** The first non-internal interface: its MAC and IPv4 address, as the settlement client reports them. */
function localInterface(): { mac: string; ip: string } {
  for (const list of Object.values(networkInterfaces())) {
    const v4 = list?.find((a) => !a.internal && a.family === 'IPv4');
    if (v4) return { mac: v4.mac.toUpperCase().replaceAll(':', '-'), ip: v4.address };
  }
  return { mac: '', ip: '' };
}

/**
 * The 9001 request: the national platform's envelope (infno, msgid = fixmedins_code + yyyyMMddHHmmss + 4-digit
 * sequence, mdtrtarea_admvs, fixmedins_code, infver, opter_type 2 = self-service terminal) with input.signIn.
 */
export function signinEnvelope(s: SigninSettings, site: SiteConfig, now: Date, seq: number): Record<string, unknown> {
  const t = stamp(now);
  const nic = s.mac && s.ip ? { mac: s.mac, ip: s.ip } : localInterface();
  const opter = s.opter || site.terminalId;
  return {
    infno: '9001',
    msgid: `${site.fixmedins_code}${t.compact}${pad(seq % 10_000, 4)}`,
    mdtrtarea_admvs: site.mdtrtarea_admvs,
    insuplc_admdvs: '',
    recer_sys_code: s.recerSysCode,
    dev_no: s.devNo,
    dev_safe_info: '',
    cainfo: '',
    signtype: s.signtype,
    infver: s.infver,
    opter_type: '2',
    opter,
    opter_name: s.opterName || site.terminalId,
    inf_time: t.spaced,
    fixmedins_code: site.fixmedins_code,
    fixmedins_name: site.fixmedins_name,
    sign_no: s.signNo?.reveal() ?? '',
    input: { signIn: { opter_no: opter, mac: s.mac || nic.mac, ip: s.ip || nic.ip } },
  };
}

/** CSB gateway headers: _api_signature = Base64(HMAC-SHA1(secretKey, "_api_access_key=…&_api_name=…&_api_timestamp=…&_api_version=…")). */
export function gatewayHeaders(s: SigninSettings, nowMs: number): Record<string, string> {
  if (!s.accessKey || !s.secretKey) return {};
  const ts = String(nowMs);
  const signed = `_api_access_key=${s.accessKey.reveal()}&_api_name=${s.apiName}&_api_timestamp=${ts}&_api_version=${s.apiVersion}`;
  return {
    _api_name: s.apiName,
    _api_version: s.apiVersion,
    _api_timestamp: ts,
    _api_access_key: s.accessKey.reveal(),
    _api_signature: createHmac('sha1', s.secretKey.reveal()).update(signed).digest('base64'),
  };
}

/** What the answer says: infcode and err_msg only. The output (which holds sign_no) is never kept. */
export function readSigninAnswer(o: ProbeOutcome): { reason: string; evidence: Evidence } {
  if (o.reason !== 'ok' || !o.answer) return { reason: 'signin_unreachable', evidence: { transportReason: o.reason, ...pick(o.evidence, ['error', 'status']) } };
  const status = o.answer.status;
  if (status < 200 || status > 299) return { reason: 'signin_bad_response', evidence: { status } };
  let reply: { infcode?: unknown; err_msg?: unknown };
  try {
    reply = JSON.parse(o.answer.text) as typeof reply;
  } catch {
    return { reason: 'signin_bad_response', evidence: { status, error: 'NOT_JSON' } };
  }
  const infcode = Number(reply?.infcode);
  if (reply?.infcode === undefined || reply.infcode === null || !Number.isFinite(infcode)) return { reason: 'signin_bad_response', evidence: { status, error: 'NO_INFCODE' } };
  const errMsg = typeof reply.err_msg === 'string' ? truncate(reply.err_msg, 200) : '';
  return { reason: infcode === 0 ? 'ok' : 'signin_rejected', evidence: { infcode, err_msg: errMsg } };
}

function pick(e: Evidence, keys: string[]): Evidence {
  return Object.fromEntries(keys.filter((k) => e[k] !== undefined).map((k) => [k, e[k]!]));
}

/**
 * The optional 9001 sign-in. A real business transaction, so it runs at most every `everyMinutes`; the runs in
 * between repeat its last result so the fault state does not flip. Secrets go only into the request.
 */
export class SigninProbe {
  private readonly endpoint: ResolvedEndpoint;
  private last: { atMono: number; result: Omit<ProbeResult, 'time'> } | undefined;
  private seq = 0;

  constructor(
    private readonly s: SigninSettings,
    private readonly site: SiteConfig,
    where: string,
  ) {
    if (!s.url) throw new Error(`${where}.url: missing; the sign-in needs the URL the settlement client posts 9001 to`);
    this.endpoint = resolveEndpoint(
      { name: SIGNIN_SUBJECT, kind: 'http', url: s.url, method: 'POST', trust: s.trust, timeoutSeconds: s.timeoutSeconds, checkCertificates: false, clockReference: false },
      where,
    );
  }

  async run(env: ProbeEnv): Promise<ProbeResult> {
    const now = env.now();
    if (this.last && performance.now() - this.last.atMono < this.s.everyMinutes * 60_000) return { ...this.last.result, time: now.toISOString() };
    const envelope = signinEnvelope(this.s, this.site, now, ++this.seq);
    const headers = { 'Content-Type': 'application/json;charset=utf-8', ...this.s.headers, ...gatewayHeaders(this.s, now.getTime()) };
    const outcome = await probeHttp(this.endpoint, env, { method: 'POST', headers, body: Buffer.from(JSON.stringify(envelope), 'utf8') });
    const { reason, evidence } = readSigninAnswer(outcome);
    const ok = reason === 'ok';
    const code = evidence.infcode ?? '';
    const result: Omit<ProbeResult, 'time'> = {
      status: ok ? 'ok' : 'fail',
      reason,
      subject: SIGNIN_SUBJECT,
      labels: { host: this.endpoint.host, port: String(this.endpoint.port), kind: 'signin' },
      evidence: { url: this.endpoint.display, signedInAt: now.toISOString(), ...evidence },
      phases: outcome.phases,
      durationMs: outcome.totalMs,
      message: ok
        ? { zh: `医保平台签到（9001）成功，infcode ${code}`, en: `platform sign-in (9001) succeeded, infcode ${code}` }
        : reason === 'signin_rejected'
          ? { zh: `医保平台签到（9001）被拒绝：infcode ${code} ${String(evidence.err_msg)}`, en: `platform sign-in (9001) rejected: infcode ${code} ${String(evidence.err_msg)}` }
          : reason === 'signin_bad_response'
            ? { zh: `医保平台签到（9001）应答无法识别（HTTP ${String(evidence.status)}）`, en: `platform sign-in (9001) answer unreadable (HTTP ${String(evidence.status)})` }
            : { zh: `医保平台签到（9001）请求无法送达（${outcome.reason}）`, en: `platform sign-in (9001) could not be delivered (${outcome.reason})` },
    };
    this.last = { atMono: performance.now(), result };
    return { ...result, time: now.toISOString() };
  }
}
