import type { Evidence } from '../../core/checks/result.js';
import { openConnection } from '../connection.js';
import { bodyText, httpExchange, type HttpAnswer } from '../http-exchange.js';
import { displayUrl, hostPort, urlHost, urlPort } from '../url.js';
import { proxyEvidence, routeFor, runProbe, type ProbeBodyResult, type ProbeEnv, type ProbeOutcome, type ProbeTarget } from './outcome.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Host header: the port only when it is not the scheme's default. */
function hostHeader(u: URL): string {
  return u.port ? hostPort(urlHost(u), Number(u.port)) : u.hostname;
}

export interface HttpOverrides {
  url?: URL;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | null;
}

/**
 * kind "http": one request, phases DNS → connect → (proxy) → TLS → send → first byte → body, redirects followed
 * when configured (each hop's phases add up). Success needs an expected status and the body rules to hold.
 * `overrides` lets a caller send its own request through the same path (the settlement check's 9001 sign-in).
 */
export function probeHttp(target: ProbeTarget, env: ProbeEnv, overrides: HttpOverrides = {}): Promise<ProbeOutcome> {
  return runProbe(target, env, async (deadline, timer): Promise<ProbeBodyResult> => {
    let url = overrides.url ?? target.url!;
    let method = overrides.method ?? target.method;
    let body = overrides.body !== undefined ? overrides.body : target.body;
    const headers = overrides.headers ?? target.headers;
    let redirects = 0;
    let chain: Buffer[] | undefined;
    let answer: HttpAnswer;
    let evidence: Evidence;
    for (;;) {
      const host = urlHost(url);
      const port = urlPort(url);
      const https = url.protocol === 'https:';
      const proxy = routeFor(target, host, port, https, env);
      const tls = https ? { name: target.trust.serverName || host, trust: target.trust, context: env.cas.contextFor(target.trust, target.where), alpn: ['http/1.1'] } : null;
      const conn = await openConnection({ host, port, family: target.ipFamily, proxy, tls }, deadline, timer);
      chain ??= conn.tls?.chain;
      answer = await httpExchange(conn.socket, { method, path: `${url.pathname}${url.search}`, host: hostHeader(url), headers, body }, target.maxBodyBytes, deadline, timer, env.now);
      evidence = {
        url: displayUrl(url),
        address: conn.address,
        status: answer.status,
        bodyBytes: answer.bodyBytes,
        ...(conn.tls ? { tlsProtocol: conn.tls.protocol, tlsCipher: conn.tls.cipher } : {}),
        ...proxyEvidence(proxy),
        ...(redirects ? { redirects } : {}),
      };
      const location = answer.headers.location;
      if (!target.followRedirects || !REDIRECTS.has(answer.status) || !location) break;
      if (redirects >= target.maxRedirects) {
        return { evidence, ...(chain ? { chain } : {}), failure: { reason: 'http_too_many_redirects', evidence: { maxRedirects: target.maxRedirects } } };
      }
      url = new URL(location, url);
      redirects++;
      if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
        method = 'GET'; // what browsers and curl -L do
        body = null;
      }
      timer.skip();
    }
    const text = bodyText(answer.body, answer.headers);
    const facts = { status: answer.status, firstByteAt: answer.firstByteAt, text, ...(answer.headers.date ? { date: answer.headers.date } : {}) };
    const result: ProbeBodyResult = { evidence, answer: facts, ...(chain ? { chain } : {}) };
    if (target.expectStatus.length && !target.expectStatus.includes(answer.status)) {
      result.failure = { reason: 'http_status', evidence: { expectStatus: target.expectStatus.join(',') } };
    } else if (target.bodyMatch && !target.bodyMatch.test(text)) {
      result.failure = { reason: 'http_body_mismatch', evidence: { bodyMatch: target.bodyMatch.source } };
    } else if (target.bodyNotMatch?.test(text)) {
      result.failure = { reason: 'http_body_forbidden', evidence: { bodyNotMatch: target.bodyNotMatch.source } };
    }
    return result;
  });
}
