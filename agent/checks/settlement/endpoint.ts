import { isIP } from 'node:net';
import type { IpFamily } from './net/resolve.js';
import type { TrustSettings } from './net/trust.js';
import { ENDPOINT_DEFAULTS, TRUST_DEFAULTS, type EndpointConfig } from './endpoint-schema.js';

export type EndpointKind = 'http' | 'tls' | 'tcp' | 'dns';

/** One endpoint with every default filled and its settings checked and compiled once, at probe creation. */
export interface ResolvedEndpoint {
  name: string;
  kind: EndpointKind;
  url: URL | null;
  host: string;
  port: number;
  /** What is probed, safe to show: the URL without credentials and query, or host:port. */
  display: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | null;
  expectStatus: number[];
  bodyMatch: RegExp | null;
  bodyNotMatch: RegExp | null;
  followRedirects: boolean;
  maxRedirects: number;
  timeoutMs: number;
  trust: TrustSettings;
  ipFamily: IpFamily;
  useProxy: boolean;
  slowMs: number;
  slowAfter: number;
  maxBodyBytes: number;
  checkCertificates: boolean;
  clockReference: boolean;
  /** Config path for error messages, e.g. `checks.settlement.endpoints[0] ("platform")`. */
  where: string;
}

/** The host part of a URL without IPv6 brackets. */
export function urlHost(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, '');
}

export function urlPort(u: URL): number {
  return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
}

/** A URL as evidence: no user info, no query (query strings may carry keys). */
export function displayUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function regex(source: string, where: string): RegExp | null {
  if (!source) return null;
  try {
    return new RegExp(source);
  } catch (err) {
    throw new Error(`${where}: not a valid regular expression: ${(err as Error).message}`);
  }
}

/** Fills defaults and checks what the schema cannot (kind-specific required fields, regexes); throws naming the setting. */
export function resolveEndpoint(e: EndpointConfig, where: string): ResolvedEndpoint {
  const d = ENDPOINT_DEFAULTS;
  const kind = (e.kind ?? d.kind) as EndpointKind;
  const at = `${where} ("${e.name}")`;
  let url: URL | null = null;
  let host = e.host ?? d.host;
  let port = e.port ?? d.port;
  if (kind === 'http') {
    if (!e.url) throw new Error(`${at}.url: missing; kind "http" needs an http:// or https:// URL`);
    url = new URL(e.url);
    host = urlHost(url);
    port = urlPort(url);
  } else {
    if (!host) throw new Error(`${at}.host: missing; kind "${kind}" needs a host name or IP address`);
    if (kind === 'tls' && !port) port = 443;
    if (kind === 'tcp' && !port) throw new Error(`${at}.port: missing; kind "tcp" needs a port`);
  }
  const trust: TrustSettings = { ...TRUST_DEFAULTS, pins: [], ...(e.trust ?? {}) } as TrustSettings;
  if (trust.mode === 'pin' && trust.pins.length === 0) throw new Error(`${at}.trust.pins: empty; trust mode "pin" needs at least one "sha256/<base64>" pin`);
  if (trust.mode === 'caFile' && !trust.caFile) throw new Error(`${at}.trust.caFile: empty; trust mode "caFile" needs the path of a PEM file`);
  const hostPort = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  return {
    name: e.name,
    kind,
    url,
    host,
    port,
    display: url ? displayUrl(url) : kind === 'dns' ? host : hostPort,
    method: e.method ?? d.method,
    headers: { ...(e.headers ?? {}) },
    body: e.body ? Buffer.from(e.body, 'utf8') : null,
    expectStatus: [...(e.expectStatus ?? [])],
    bodyMatch: regex(e.bodyMatch ?? '', `${at}.bodyMatch`),
    bodyNotMatch: regex(e.bodyNotMatch ?? '', `${at}.bodyNotMatch`),
    followRedirects: e.followRedirects ?? d.followRedirects,
    maxRedirects: e.maxRedirects ?? d.maxRedirects,
    timeoutMs: (e.timeoutSeconds ?? d.timeoutSeconds) * 1000,
    trust,
    ipFamily: (e.ipFamily ?? d.ipFamily) as IpFamily,
    useProxy: e.useProxy ?? d.useProxy,
    slowMs: (e.slowSeconds ?? d.slowSeconds) * 1000,
    slowAfter: e.slowAfter ?? d.slowAfter,
    maxBodyBytes: e.maxBodyBytes ?? d.maxBodyBytes,
    checkCertificates: e.checkCertificates ?? d.checkCertificates,
    clockReference: e.clockReference ?? d.clockReference,
    where: at,
  };
}

/** Resolves a list, rejecting duplicate names (a name is the subject of faults: it must be unique in the check). */
export function resolveEndpoints(list: EndpointConfig[], where: string): ResolvedEndpoint[] {
  const seen = new Set<string>();
  return list.map((e, i) => {
    if (seen.has(e.name)) throw new Error(`${where}[${i}].name: "${e.name}" is used twice; endpoint names must be unique`);
    seen.add(e.name);
    return resolveEndpoint(e, `${where}[${i}]`);
  });
}
