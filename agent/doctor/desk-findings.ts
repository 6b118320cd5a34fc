import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import WebSocket from 'ws';
import type { DeskConfig } from '../core/config/schema.js';
import type { Secret } from '../core/config/secret.js';
import { loadTlsMaterial } from '../tunnel/credentials.js';
import { DeskDialer } from '../tunnel/dialer.js';
import { CLOSE } from '../tunnel/protocol/constants.js';
import { chooseProxy } from '../tunnel/proxy.js';
import { finding, type Finding } from './types.js';

const DAY_MS = 86_400_000;
/** Beyond this the desk's and the terminal's certificates, and the settlement platform's signatures, start to fail. */
const SKEW_WARN_S = 60;
const SKEW_FAIL_S = 300;

/**
 * The desk connection as the service would make it: the agent's certificate (in its validity, matching its key), the
 * desk CA, then a real mutual-TLS request to the desk for reachability and its clock, and a WebSocket opened and
 * closed before hello (so the running agent's session is not replaced) to learn whether the desk refuses this
 * agent as revoked.
 */
export async function deskFindings(desk: DeskConfig, env: NodeJS.ProcessEnv, now = new Date(), timeoutMs = 10_000): Promise<Finding[]> {
  if (!desk.enabled) return [finding('desk', 'desk', 'skip', { zh: '未接入服务台（guardpost enroll 接入）', en: 'not connected to a desk (guardpost enroll connects it)' })];
  const out: Finding[] = [certFinding(desk, now)];
  if (desk.caFile) out.push(caFinding(desk.caFile, now));
  if (out.some((f) => f.status === 'fail')) return out;
  out.push(...(await reach(desk, env, timeoutMs, now)));
  return out;
}

function certFinding(desk: DeskConfig, now: Date): Finding {
  const file = desk.certFile!;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(file));
  } catch (err) {
    return finding('desk', file, 'fail', { zh: `无法读取终端证书：${(err as Error).message}`, en: `cannot read the agent certificate: ${(err as Error).message}` }, { zh: '重新接入：guardpost enroll', en: 'enroll again: guardpost enroll' });
  }
  const to = new Date(cert.validTo);
  const from = new Date(cert.validFrom);
  const reenroll = { zh: '服务台发一个接入码（guardpost desk-cli enroll-code），在本机 guardpost enroll 重新接入', en: 'get an enrollment code at the desk (guardpost desk-cli enroll-code) and run guardpost enroll here' };
  if (now > to) return finding('desk', file, 'fail', { zh: `终端证书已于 ${to.toISOString()} 过期，服务台会拒绝连接`, en: `the agent certificate expired on ${to.toISOString()}; the desk refuses it` }, reenroll);
  if (now < from) return finding('desk', file, 'fail', { zh: `终端证书 ${from.toISOString()} 才生效：本机时钟是否偏慢？`, en: `the agent certificate is valid only from ${from.toISOString()}: is this clock behind?` }, { zh: '核对系统时间（不要随意改动结算机时间，联系管理员）', en: 'check the system time (ask an administrator; settlement PCs must not have their clock changed casually)' });
  try {
    const passphrase = (desk.keyPassphrase as unknown as Secret | undefined)?.reveal();
    const key = createPrivateKey({ key: readFileSync(desk.keyFile!), ...(passphrase !== undefined ? { passphrase } : {}) });
    if (!cert.checkPrivateKey(key)) return finding('desk', file, 'fail', { zh: `证书与私钥 ${desk.keyFile} 不匹配`, en: `the certificate does not match the key ${desk.keyFile}` }, reenroll);
  } catch (err) {
    return finding('desk', desk.keyFile!, 'fail', { zh: `无法读取私钥：${(err as Error).message}`, en: `cannot read the private key: ${(err as Error).message}` }, reenroll);
  }
  const days = Math.floor((to.getTime() - now.getTime()) / DAY_MS);
  if (days <= (desk.renewBeforeDays ?? 30)) {
    return finding('desk', file, 'warn', { zh: `终端证书 ${days} 天后过期，应已自动续期`, en: `the agent certificate expires in ${days} days; it should have renewed itself` }, { zh: '确认服务已连上服务台（guardpost status）', en: 'check the service is connected to the desk (guardpost status)' });
  }
  return finding('desk', file, 'ok', { zh: `终端证书有效，还有 ${days} 天`, en: `agent certificate valid, ${days} days left` });
}

function caFinding(file: string, now: Date): Finding {
  try {
    const ca = new X509Certificate(readFileSync(file));
    if (now > new Date(ca.validTo)) return finding('desk', file, 'fail', { zh: '服务台 CA 证书已过期', en: 'the desk CA certificate has expired' }, { zh: '重新接入以获取新的 CA', en: 'enroll again to get the new CA' });
    return finding('desk', file, 'ok', { zh: '服务台 CA 证书可读', en: 'desk CA readable' });
  } catch (err) {
    return finding('desk', file, 'fail', { zh: `无法读取服务台 CA：${(err as Error).message}`, en: `cannot read the desk CA: ${(err as Error).message}` });
  }
}

async function reach(desk: DeskConfig, env: NodeJS.ProcessEnv, timeoutMs: number, now: Date): Promise<Finding[]> {
  const url = new URL(desk.url!);
  const dialer = () =>
    new DeskDialer({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 443), proxy: chooseProxy(url, desk, env), tls: loadTlsMaterial(desk), timeoutMs });
  const https = new URL(url);
  https.protocol = 'https:';
  let date: number;
  try {
    date = await deskDate(https, dialer(), timeoutMs);
  } catch (err) {
    return [
      finding('desk', desk.url!, 'fail', { zh: `连不上服务台：${(err as Error).message}`, en: `cannot reach the desk: ${(err as Error).message}` }, {
        zh: '检查网络、防火墙（出站到服务台端口）和代理设置 desk.proxy',
        en: 'check the network, the firewall (outbound to the desk port) and desk.proxy',
      }),
    ];
  }
  const out = [finding('desk', desk.url!, 'ok', { zh: '服务台可达，双向 TLS 验证通过', en: 'desk reachable, mutual TLS verified' })];
  const refusal = await wsRefusal(url, dialer(), timeoutMs);
  if (refusal) out.push(finding('desk', desk.url!, 'fail', refusal, { zh: '服务台已吊销本终端：重新接入（guardpost enroll）', en: 'the desk revoked this terminal: enroll again (guardpost enroll)' }));
  const skew = Math.round((now.getTime() - date) / 1000);
  const abs = Math.abs(skew);
  const status = abs > SKEW_FAIL_S ? 'fail' : abs > SKEW_WARN_S ? 'warn' : 'ok';
  out.push(
    finding('clock', 'system-clock', status, { zh: `与服务台时钟相差 ${skew} 秒`, en: `${skew} s off the desk's clock` }, status === 'ok' ? undefined : {
      zh: '开启时间同步（timedatectl set-ntp true）；Guardpost 从不修改系统时间',
      en: 'turn on time synchronisation (timedatectl set-ntp true); Guardpost never changes the clock',
    }),
  );
  return out;
}

/** The Date of the desk's answer to a plain request (its agent port answers 404 to anything but the WebSocket). */
function deskDate(url: URL, agent: DeskDialer, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      const date = Date.parse(res.headers.date ?? '');
      if (Number.isNaN(date)) reject(new Error(`the desk answered ${res.statusCode} without a Date`));
      else resolve(date);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Opens the WebSocket and waits briefly: a revoked agent is closed with 4010 at once; anyone else waits for hello. */
function wsRefusal(url: URL, agent: DeskDialer, timeoutMs: number): Promise<{ zh: string; en: string } | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { agent, handshakeTimeout: timeoutMs, perMessageDeflate: false });
    let timer: NodeJS.Timeout | undefined;
    ws.on('error', () => undefined);
    ws.on('open', () => {
      timer = setTimeout(() => ws.close(1000, 'guardpost doctor'), 1500);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      if (code === CLOSE.revoked) resolve({ zh: `服务台拒绝本终端（已吊销）：${reason.toString()}`, en: `the desk refuses this terminal (revoked): ${reason.toString()}` });
      else resolve(null);
    });
  });
}
