// agent/net: the one network library of the agent (see README.md). Checks and the tunnel import from here.
export { connectViaProxy } from './proxy-connect.js';
export { Deadline, PhaseTimer } from './deadline.js';
export { codeOf, ProbeFailure, type Phase } from './failure.js';
export { bodyText, httpExchange, type HttpAnswer, type HttpRequestSpec } from './http-exchange.js';
export { bypassesProxy } from './no-proxy.js';
export { proxyFor, redactUrl, type ProxyRoute, type ProxySettings, type ProxyTarget } from './proxy-choice.js';
export { DNS_REASONS, HTTP_REASONS, NET_REASONS, PROXY_AUTH_REASONS, TLS_REASONS, UNREACHABLE_REASONS, type NetReason } from './reasons.js';
export { resolveAddresses, type IpFamily, type ResolvedAddress } from './resolve.js';
export { chainOf, peerChain, tlsHandshake, type TlsSession } from './tls-handshake.js';
export { CaStore, spkiPin, type TrustSettings } from './trust.js';
export { displayUrl, hostPort, stripBrackets, urlHost, urlPort } from './url.js';
export * from './probes/index.js';
