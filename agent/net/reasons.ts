import type { Text } from '../core/text.js';

/**
 * The closed list of reasons a network probe fails for, grouped by the step that failed. Every ProbeFailure and
 * ProbeOutcome carries one of these (or 'ok'); checks add their own reasons on top (slow, sign-in, service roles)
 * and map the groups to their faults. A new reason is a contract change: add it here and to README.md.
 */

/** The name does not resolve. */
export const DNS_REASONS = {
  dns_not_found: { zh: '域名无法解析（不存在或没有地址）', en: 'the name does not resolve (no such name, or no address)' },
  dns_failed: { zh: '域名解析出错（DNS 服务器无响应或拒绝）', en: 'name resolution failed (the DNS server did not answer or refused)' },
  dns_timeout: { zh: '域名解析超时', en: 'name resolution timed out' },
} as const satisfies Record<string, Text>;

/** No usable connection came about (the reason says which step), the proxy's steps included. */
export const UNREACHABLE_REASONS = {
  tcp_refused: { zh: '连接被拒绝（端口无服务）', en: 'connection refused (nothing listens on the port)' },
  tcp_reset: { zh: '连接被重置', en: 'the connection was reset' },
  tcp_timeout: { zh: '连接超时（无响应）', en: 'connecting timed out (no answer)' },
  tcp_unreachable: { zh: '网络或主机不可达', en: 'network or host unreachable' },
  connection_closed: { zh: '对方未应答即关闭了连接', en: 'the server closed the connection without answering' },
  response_timeout: { zh: '已连接但应答超时', en: 'connected, but the answer timed out' },
  proxy_unreachable: { zh: '代理服务器无法连接', en: 'the proxy cannot be reached' },
  proxy_refused: { zh: '代理服务器拒绝建立到平台的通道', en: 'the proxy refused to open a tunnel to the platform' },
} as const satisfies Record<string, Text>;

/** The proxy turned the credentials down (407, or 401 as tinyproxy answers wrong ones). */
export const PROXY_AUTH_REASONS = {
  proxy_auth_failed: { zh: '代理服务器认证失败', en: 'the proxy rejected the credentials' },
} as const satisfies Record<string, Text>;

/** The TLS handshake failed or the server could not be trusted. */
export const TLS_REASONS = {
  tls_handshake_failed: { zh: 'TLS 握手失败', en: 'the TLS handshake failed' },
  tls_untrusted: { zh: '服务器证书链不受信任', en: "the server's certificate chain is not trusted" },
  tls_expired: { zh: '服务器证书已过期或尚未生效', en: "the server's certificate has expired or is not yet valid" },
  tls_hostname_mismatch: { zh: '服务器证书与访问的域名不符', en: "the server's certificate does not match the host name" },
  tls_pin_mismatch: { zh: '服务器公钥与配置的固定值不符', en: "the server's key does not match the pinned key" },
  tls_timeout: { zh: 'TLS 握手超时', en: 'the TLS handshake timed out' },
} as const satisfies Record<string, Text>;

/** The server answered, but not as expected. */
export const HTTP_REASONS = {
  http_status: { zh: 'HTTP 状态码不符合预期', en: 'unexpected HTTP status' },
  http_body_mismatch: { zh: '应答内容缺少预期的文字', en: 'the answer lacks the expected text' },
  http_body_forbidden: { zh: '应答内容含有表示错误的文字', en: 'the answer contains text that means an error' },
  http_bad_response: { zh: '应答不是有效的 HTTP', en: 'the answer is not valid HTTP' },
  http_too_many_redirects: { zh: '重定向次数过多', en: 'too many redirects' },
} as const satisfies Record<string, Text>;

export const NET_REASONS = {
  ...DNS_REASONS,
  ...UNREACHABLE_REASONS,
  ...PROXY_AUTH_REASONS,
  ...TLS_REASONS,
  ...HTTP_REASONS,
} as const satisfies Record<string, Text>;

export type NetReason = keyof typeof NET_REASONS;
