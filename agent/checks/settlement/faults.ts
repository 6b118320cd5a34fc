import type { CertificatePolicy } from '../../certs/index.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { clockSkewRule } from '../../core/faults/clock-skew.js';
import type { FaultDefinition, FaultSignal, InhibitRule } from '../../core/faults/types.js';
import { DNS_REASONS, HTTP_REASONS, PROXY_AUTH_REASONS, TLS_REASONS, UNREACHABLE_REASONS } from '../../net/index.js';
import { chainRules } from './certificates.js';
import { SIGNIN_REASONS } from './reasons.js';

export { reasons } from './reasons.js';

export const faults: FaultDefinition[] = [
  {
    code: 'PLATFORM_DNS_FAILED',
    severity: 'critical',
    title: { zh: '医保平台域名无法解析', en: 'Settlement platform name does not resolve' },
    causes: [
      { zh: '本机 hosts 文件中医保平台的条目被删除或改错（医保专网多靠 hosts 解析）', en: "the platform's entry in the hosts file was removed or changed (the insurance network usually relies on the hosts file)" },
      { zh: 'DNS 服务器设置错误，或专网 DNS 服务器不可达', en: 'wrong DNS server settings, or the private network\'s DNS server is unreachable' },
      { zh: '平台地址变更而本机配置未更新', en: "the platform's address changed and this PC was not updated" },
    ],
    operator: {
      zh: '请不要修改网络设置和 hosts 文件。可先重启电脑一次；仍不能结算时请联系维护热线，并告知“医保平台域名无法解析”。',
      en: 'Do not change network settings or the hosts file. Restart the PC once; if settlement still fails, call the maintenance hotline and say "platform name does not resolve".',
    },
    engineer: {
      zh: '核对证据中的域名与错误码（ENOTFOUND 为无此域名，EAI_AGAIN 为 DNS 无响应）。检查 C:\\Windows\\System32\\drivers\\etc\\hosts 或 /etc/hosts 中医保平台条目，以及网卡 DNS 设置；用 nslookup/getent hosts 验证。向当地医保中心核对最新平台地址，必要时更新 hosts 并刷新 DNS 缓存（ipconfig /flushdns）。',
      en: 'Check the name and error code in the evidence (ENOTFOUND: no such name; EAI_AGAIN: DNS did not answer). Inspect the platform entry in C:\\Windows\\System32\\drivers\\etc\\hosts or /etc/hosts and the adapter\'s DNS settings; verify with nslookup / getent hosts. Confirm the current platform address with the local insurance centre, update the hosts file if needed and flush the DNS cache (ipconfig /flushdns).',
    },
  },
  {
    code: 'PLATFORM_UNREACHABLE',
    severity: 'critical',
    title: { zh: '医保平台无法连接', en: 'Settlement platform unreachable' },
    causes: [
      { zh: '医保专网线路、专线路由器或 VPN 中断', en: 'the insurance network line, its router or the VPN is down' },
      { zh: '前置机或代理服务器停机、服务未启动', en: 'the front-end machine or proxy is down, or its service is not running' },
      { zh: '防火墙或安全软件拦截了到平台的连接', en: 'a firewall or security software blocks connections to the platform' },
      { zh: '医保平台本身维护或故障', en: 'the platform itself is under maintenance or failing' },
    ],
    operator: {
      zh: '请检查网线和专网设备（路由器、VPN 盒子）的指示灯是否正常，不要自行修改网络设置；无法结算时请告知患者稍候并联系维护热线。',
      en: 'Check the network cable and the lights of the insurance-network devices (router, VPN box); do not change network settings. If settlement is impossible, ask patients to wait and call the maintenance hotline.',
    },
    engineer: {
      zh: '按证据中的原因定位：tcp_refused 为目标端口无服务（前置机服务未启动），tcp_timeout/tcp_unreachable 为线路或路由问题，tcp_reset/connection_closed 多为防火墙或负载均衡拦截，response_timeout 为平台无应答，proxy_* 为代理问题。依次检查专线路由、前置机服务、防火墙规则；用 telnet/Test-NetConnection 验证端口，联系当地医保信息科确认平台状态。',
      en: 'Locate by the reason in the evidence: tcp_refused means nothing listens (front-end service down), tcp_timeout / tcp_unreachable a line or routing problem, tcp_reset / connection_closed usually a firewall or load balancer, response_timeout a platform that does not answer, proxy_* the proxy. Check the line\'s router, the front-end machine\'s service and firewall rules in turn; test the port with telnet / Test-NetConnection and ask the local insurance IT office about the platform.',
    },
  },
  {
    code: 'PLATFORM_TLS_FAILED',
    severity: 'critical',
    title: { zh: '与医保平台的安全连接失败', en: 'Secure connection to the settlement platform failed' },
    causes: [
      { zh: '平台或前置机的服务器证书过期、更换，或与访问的域名不符', en: "the platform's or front-end machine's server certificate expired, was replaced, or does not match the name" },
      { zh: '本机缺少平台的根证书（CA）或配置的固定公钥已过时', en: "this PC lacks the platform's root (CA) certificate, or the pinned key is out of date" },
      { zh: '本机时间错误导致证书被判为过期或未生效', en: 'a wrong local clock makes the certificate look expired or not yet valid' },
      { zh: '中间设备（防火墙、代理）干扰 TLS 握手', en: 'a middlebox (firewall, proxy) interferes with the TLS handshake' },
    ],
    operator: {
      zh: '请不要在浏览器或客户端中选择“忽略证书错误”继续，也不要修改电脑时间；请联系维护热线处理。',
      en: 'Do not choose "ignore certificate errors" in a browser or client, and do not change the PC\'s time; call the maintenance hotline.',
    },
    engineer: {
      zh: '查看证据中的原因和 tlsError：tls_expired 先核对本机时间（是否同时有 CLOCK_SKEW），再核对服务器证书有效期；tls_untrusted 需安装平台 CA 或更新 trust.caFile；tls_hostname_mismatch 核对访问域名与证书；tls_pin_mismatch 表示服务器换了密钥，确认后更新 trust.pins（证据中有新值）。证书详情见同一端点的证书检查结果。',
      en: 'Read the reason and tlsError in the evidence: for tls_expired first check the local time (is CLOCK_SKEW open too?), then the server certificate\'s validity; tls_untrusted needs the platform CA installed or trust.caFile updated; tls_hostname_mismatch: compare the name used with the certificate; tls_pin_mismatch means the server\'s key changed: confirm, then update trust.pins (the new value is in the evidence). The certificate details are in the same endpoint\'s certificate results.',
    },
  },
  {
    code: 'PLATFORM_HTTP_ERROR',
    severity: 'major',
    title: { zh: '医保平台应答异常', en: 'Settlement platform answers wrongly' },
    causes: [
      { zh: '平台或前置机服务出错（HTTP 5xx）', en: 'the platform or front-end service fails (HTTP 5xx)' },
      { zh: '接口地址变更，返回 404 或跳转', en: 'the interface address changed: 404 or a redirect' },
      { zh: '应答内容不是预期的页面（例如被网关或认证页面替代）', en: 'the answer is not the expected page (e.g. replaced by a gateway or login page)' },
    ],
    operator: {
      zh: '可稍后重试一笔结算；若持续失败，请记录客户端提示的错误信息并联系维护热线。',
      en: 'Try one settlement again a little later; if it keeps failing, note the error the client shows and call the maintenance hotline.',
    },
    engineer: {
      zh: '证据中有状态码、应答字节数和未满足的规则（expectStatus、bodyMatch、bodyNotMatch）。用浏览器或 curl 访问同一地址比对；5xx 时联系前置机或平台运维查看服务日志；地址变更时更新配置。',
      en: 'The evidence gives the status, the body size and the rule that failed (expectStatus, bodyMatch, bodyNotMatch). Compare with a browser or curl on the same URL; for 5xx ask the front-end or platform operators to read the service logs; if the address changed, update the config.',
    },
  },
  {
    code: 'PLATFORM_SLOW',
    severity: 'minor',
    title: { zh: '医保平台响应缓慢', en: 'Settlement platform slow' },
    causes: [
      { zh: '专网线路拥塞或带宽不足', en: 'the insurance network line is congested or too narrow' },
      { zh: '平台业务高峰或服务器负载高', en: 'peak hours at the platform, or a loaded server' },
      { zh: '本机或前置机资源不足（CPU、内存、磁盘）', en: 'this PC or the front-end machine is short of CPU, memory or disk' },
    ],
    operator: {
      zh: '结算可能变慢，请耐心等待，不要重复点击提交；如长时间缓慢请联系维护热线。',
      en: 'Settlements may be slow: wait, and do not press submit repeatedly; call the maintenance hotline if it stays slow.',
    },
    engineer: {
      zh: '比较证据中的各阶段耗时（dns、connect、tls、send、firstByte、body）：connect 慢多为线路问题，firstByte 慢为平台处理慢，dns 慢检查 DNS 设置。对照健康页面的历史延迟分位数判断是否持续；检查线路带宽占用和本机资源。',
      en: 'Compare the phase durations in the evidence (dns, connect, tls, send, firstByte, body): a slow connect points at the line, a slow firstByte at the platform, a slow dns at DNS settings. Use the latency percentiles on the health page to see whether it persists; check line usage and local resources.',
    },
  },
  {
    code: 'PROXY_AUTH_FAILED',
    severity: 'major',
    title: { zh: '代理服务器认证失败', en: 'Proxy authentication failed' },
    causes: [
      { zh: '代理账号的密码已更改或过期', en: "the proxy account's password changed or expired" },
      { zh: '未配置代理账号，或配置了错误的账号', en: 'no proxy account is configured, or the wrong one' },
    ],
    operator: {
      zh: '请不要反复尝试登录代理，以免账号被锁定；请联系维护热线或本单位网络管理员。',
      en: 'Do not keep trying to log in to the proxy, the account may get locked; call the maintenance hotline or the site\'s network administrator.',
    },
    engineer: {
      zh: '证据中 credentialsSent 表示是否发送了账号。向网络管理员确认代理账号与密码，更新配置中的 proxy.username 和 proxy.password（环境变量或 chmod 600 的文件），或 HTTPS_PROXY 中的账号；修改后执行 guardpost check 验证。',
      en: 'credentialsSent in the evidence says whether credentials were sent. Confirm the proxy account with the network administrator and update proxy.username and proxy.password (an environment variable or a chmod 600 file), or the account in HTTPS_PROXY; then run guardpost check to verify.',
    },
  },
  {
    code: 'SIGNIN_FAILED',
    severity: 'major',
    title: { zh: '医保平台签到失败', en: 'Platform sign-in failed' },
    causes: [
      { zh: '机构编码、区划或操作员信息与平台登记不符', en: 'the institution code, area or operator does not match the platform\'s records' },
      { zh: '接入密钥（access key）失效或签名错误', en: 'the access key expired or the signature is wrong' },
      { zh: '平台签到服务故障或维护', en: "the platform's sign-in service is failing or under maintenance" },
    ],
    operator: {
      zh: '结算客户端签到可能同样失败。请不要反复签到，记录客户端提示后联系维护热线。',
      en: 'The settlement client may fail to sign in as well. Do not sign in again and again; note the client\'s message and call the maintenance hotline.',
    },
    engineer: {
      zh: '证据中只有 infcode 和 err_msg（不记录 sign_no 与密钥）。按 err_msg 核对 site 配置中的 fixmedins_code、mdtrtarea_admvs 和签到配置中的操作员、infver；密钥问题向当地医保中心确认。签到是真实业务交易，排查期间可暂时关闭 signin.enabled。',
      en: 'The evidence has infcode and err_msg only (sign_no and keys are never recorded). Following err_msg, check fixmedins_code and mdtrtarea_admvs in the site config and the operator and infver in the sign-in settings; ask the local insurance centre about keys. The sign-in is a real business transaction: switch signin.enabled off while investigating if needed.',
    },
  },
];

const has = (set: object, reason: string): boolean => Object.hasOwn(set, reason);

/** Grades a failed result of this check's own reasons and the clock-skew reason it reports; null for others. */
export function ownRules(result: ProbeResult): FaultSignal | null {
  const r = result.reason;
  if (has(DNS_REASONS, r)) return { code: 'PLATFORM_DNS_FAILED', severity: 'critical' };
  if (has(UNREACHABLE_REASONS, r)) return { code: 'PLATFORM_UNREACHABLE', severity: 'critical' };
  if (has(TLS_REASONS, r)) return { code: 'PLATFORM_TLS_FAILED', severity: 'critical' };
  if (has(HTTP_REASONS, r)) return { code: 'PLATFORM_HTTP_ERROR', severity: 'major' };
  if (r === 'slow') return { code: 'PLATFORM_SLOW', severity: 'minor' };
  if (has(PROXY_AUTH_REASONS, r)) return { code: 'PROXY_AUTH_FAILED', severity: 'major' };
  if (has(SIGNIN_REASONS, r)) return { code: 'SIGNIN_FAILED', severity: 'major' };
  // CLOCK_SKEW is graded alike for every reporter of a reference time (agent/core/faults/clock-skew.ts).
  return clockSkewRule(result);
}

/** All of this check's rules: its own reasons, clock skew, and the certificate engine's reasons for server chains. */
export function rules(result: ProbeResult, config: { certificates?: CertificatePolicy }): FaultSignal | null {
  return ownRules(result) ?? chainRules(result, config.certificates);
}

const AFTER_CONNECT = ['PLATFORM_TLS_FAILED', 'PLATFORM_HTTP_ERROR', 'PLATFORM_SLOW', 'SIGNIN_FAILED'];

/**
 * A host that does not resolve or cannot be connected to explains its TLS, HTTP, slowness and sign-in faults
 * (from this or another settlement check): only the cause is acted on, the rest stay visible as muted.
 */
export const inhibitRules: InhibitRule[] = [
  { source: ['PLATFORM_DNS_FAILED'], target: ['PLATFORM_UNREACHABLE', ...AFTER_CONNECT], equal: ['host'] },
  { source: ['PLATFORM_UNREACHABLE'], target: AFTER_CONNECT, equal: ['host'] },
];
