import { isIP } from 'node:net';
import type { Evidence } from '../../../core/checks/result.js';
import { displayUrl, urlHost, urlPort, type ResolvedEndpoint } from '../endpoint.js';
import { openConnection } from '../net/connection.js';
import { bodyText, httpExchange, type HttpAnswer } from '../net/http-exchange.js';
import { proxyEvidence, routeFor, runProbe, type EndpointOutcome, type ProbeEnv, type ProbeBodyResult } from './outcome.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Host header: the port only when it is not the scheme's default. */
function hostHeader(u: URL): string {
  const host = isIP(urlHost(u)) === 6 ? `[${urlHost(u)}]` : urlHost(u);
  return u.port ? `${host}:${u.port}` : host;
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
 * `overrides` lets the sign-in probe send its own request through the same path.
 */
export function probeHttp(ep: ResolvedEndpoint, env: ProbeEnv, overrides: HttpOverrides = {}): Promise<EndpointOutcome> {
  return runProbe(ep, env, async (deadline, timer): Promise<ProbeBodyResult> => {
    let url = overrides.url ?? ep.url!;
    let method = overrides.method ?? ep.method;
    let body = overrides.body !== undefined ? overrides.body : ep.body;
    const headers = overrides.headers ?? ep.headers;
    let redirects = 0;
    let chain: Buffer[] | undefined;
    let answer: HttpAnswer;
    let evidence: Evidence;
    for (;;) {
      const host = urlHost(url);
      const port = urlPort(url);
      const https = url.protocol === 'https:';
      const proxy = routeFor(ep, host, port, https, env);
      const tls = https ? { name: ep.trust.serverName || host, trust: ep.trust, ca: env.cas.caFor(ep.trust, ep.where), alpn: ['http/1.1'] } : null;
      const conn = await openConnection({ host, port, family: ep.ipFamily, proxy, tls }, deadline, timer);
      chain ??= conn.tls?.chain;
      answer = await httpExchange(conn.socket, { method, path: `${url.pathname}${url.search}`, host: hostHeader(url), headers, body }, ep.maxBodyBytes, deadline, timer, env.now);
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
      if (!ep.followRedirects || !REDIRECTS.has(answer.status) || !location) break;
      if (redirects >= ep.maxRedirects) {
        return { evidence, ...(chain ? { chain } : {}), failure: { reason: 'http_too_many_redirects', evidence: { maxRedirects: ep.maxRedirects } } };
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
    if (ep.expectStatus.length && !ep.expectStatus.includes(answer.status)) {
      result.failure = { reason: 'http_status', evidence: { expectStatus: ep.expectStatus.join(',') } };
    } else if (ep.bodyMatch && !ep.bodyMatch.test(text)) {
      result.failure = { reason: 'http_body_mismatch', evidence: { bodyMatch: ep.bodyMatch.source } };
    } else if (ep.bodyNotMatch?.test(text)) {
      result.failure = { reason: 'http_body_forbidden', evidence: { bodyNotMatch: ep.bodyNotMatch.source } };
    }
    return result;
  });
}
