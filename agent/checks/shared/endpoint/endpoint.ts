import { displayUrl, hostPort, urlHost, urlPort, type IpFamily, type ProbeKind, type ProbeTarget, type ProxySettings, type TrustSettings } from '../../../net/index.js';
import { ENDPOINT_DEFAULTS, PROXY_DEFAULTS, TRUST_DEFAULTS, type EndpointConfig, type ProxyConfig } from './schema.js';

/**
 * One endpoint with every default filled and its settings checked and compiled once, at probe creation: what
 * agent/net probes, plus what the check does with the outcome (name, slowness, certificates, clock).
 */
export interface ResolvedEndpoint extends ProbeTarget {
  /** The subject of its results and faults. */
  name: string;
  /** What is probed, safe to show: the URL without credentials and query, or host:port. */
  display: string;
  slowMs: number;
  slowAfter: number;
  checkCertificates: boolean;
  clockReference: boolean;
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
  const kind = (e.kind ?? d.kind) as ProbeKind;
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
  return {
    name: e.name,
    kind,
    url,
    host,
    port,
    display: url ? displayUrl(url) : kind === 'dns' ? host : hostPort(host, port),
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

/** The proxy settings with defaults filled (the password already a Secret, resolved by the config loader). */
export function resolveProxy(c: ProxyConfig | undefined): ProxySettings {
  return { ...PROXY_DEFAULTS, noProxy: [], ...(c ?? {}) } as unknown as ProxySettings;
}
