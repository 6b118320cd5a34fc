import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultDefinition, FaultSignal, InhibitRule } from '../../core/faults/types.js';

export const reasons = {
  service_down: { zh: '安全认证服务不应答（端口或健康检查地址）', en: 'the authentication service does not answer (port or health URL)' },
  function_failed: { zh: '安全认证服务的某项功能应答异常', en: 'a function of the authentication service answers wrongly' },
  slow: { zh: '安全认证服务连续多次响应缓慢', en: 'the authentication service answered slowly several times in a row' },
} as const;

export const faults: FaultDefinition[] = [
  {
    code: 'AUTH_SERVICE_DOWN',
    severity: 'critical',
    title: { zh: '安全认证支撑系统停止服务', en: 'Authentication service down' },
    causes: [
      { zh: '认证服务进程停止或崩溃（例如服务器重启后未自动启动）', en: 'the authentication service process stopped or crashed (e.g. not started after a reboot)' },
      { zh: '服务器宕机、网络中断或防火墙拦截了服务端口', en: 'the server is down, the network is cut, or a firewall blocks the service port' },
      { zh: '服务依赖的加密设备（签名服务器、密码机、USBKey）不可用导致服务无法启动', en: 'the cryptographic device the service needs (signing server, HSM, USBKey) is unavailable, so it cannot start' },
    ],
    operator: {
      zh: '各收费窗口的证书登录和签名会失败。请不要反复重启业务系统，立即联系维护热线（按合同为严重故障，需立即响应）。',
      en: 'Certificate logins and signatures at every till will fail. Do not keep restarting the business systems; call the maintenance hotline at once (a critical fault under the contract: immediate response).',
    },
    engineer: {
      zh: '证据中的 probeReason 说明失败环节（tcp_refused：服务未监听；tcp_timeout：网络或主机；tls_*：服务证书；http_status：服务报错）。登录服务器检查认证服务进程与日志、端口监听（ss -ltnp / netstat -ano），同时查看本机的 HSM/令牌检查、磁盘检查是否报警；恢复后用业务系统做一次证书登录验证，并按合同记录停机时间。',
      en: 'probeReason in the evidence names the failing step (tcp_refused: the service does not listen; tcp_timeout: network or host; tls_*: the service certificate; http_status: the service reports an error). On the server check the service process and its logs and the listening port (ss -ltnp / netstat -ano), and whether the HSM/token or disk checks of this server alarm too; after recovery verify with one certificate login from a business system and record the downtime as the contract requires.',
    },
  },
  {
    code: 'AUTH_SERVICE_DEGRADED',
    severity: 'major',
    title: { zh: '安全认证支撑系统部分功能异常', en: 'Authentication service partly failing' },
    causes: [
      { zh: '证书验证所需的 CRL 过期或 CA 证书链更新未同步', en: 'a CRL needed for certificate validation expired, or a CA chain update was not applied' },
      { zh: '签名验签所用的密钥或设备异常', en: 'the key or device used for signing and verification fails' },
      { zh: '服务配置变更或某个模块故障', en: 'a configuration change, or one module of the service failing' },
    ],
    operator: {
      zh: '部分证书业务（如证书验证或签名验签）可能失败，请记录失败的业务和提示信息，联系维护热线。',
      en: 'Some certificate functions (validation, signature verification) may fail; note which ones and their messages, and call the maintenance hotline.',
    },
    engineer: {
      zh: '故障对象即失败的功能名，证据中有 probeReason、HTTP 状态和未满足的应答规则。对照本机 CRL 新鲜度（CRL_STALE）、服务器证书、HSM 令牌检查结果定位；查看认证服务对应模块日志，修复后用该功能的测试请求验证。',
      en: 'The fault\'s subject is the failing function; the evidence has probeReason, the HTTP status and the answer rule that failed. Cross-check this server\'s CRL freshness (CRL_STALE), its certificates and the HSM token results; read the module\'s logs in the service, and after fixing verify with that function\'s test request.',
    },
  },
  {
    code: 'AUTH_SERVICE_SLOW',
    severity: 'minor',
    title: { zh: '安全认证支撑系统响应缓慢', en: 'Authentication service slow' },
    causes: [
      { zh: '服务器负载高（CPU、内存、磁盘）或加密设备繁忙', en: 'a loaded server (CPU, memory, disk) or a busy cryptographic device' },
      { zh: '在线获取 CRL/OCSP 缓慢', en: 'slow online CRL/OCSP retrieval' },
      { zh: '网络拥塞', en: 'network congestion' },
    ],
    operator: {
      zh: '证书登录和签名可能变慢，请耐心等待，不要重复操作；如持续缓慢请联系维护热线。',
      en: 'Certificate logins and signatures may be slow; wait and do not repeat the operation; call the maintenance hotline if it persists.',
    },
    engineer: {
      zh: '比较证据中的阶段耗时：firstByte 慢为服务处理慢（检查 CPU、内存、加密设备、CRL 下载），connect 慢为网络。结合本机内存和磁盘检查结果，必要时调整服务线程或缓存配置，并观察健康页面的延迟分位数。',
      en: 'Compare the phase durations in the evidence: a slow firstByte is slow processing (check CPU, memory, the cryptographic device, CRL downloads), a slow connect the network. Combine with this server\'s memory and disk results, tune the service\'s threads or caches if needed, and watch the latency percentiles on the health page.',
    },
  },
];

export function rules(result: ProbeResult): FaultSignal | null {
  switch (result.reason) {
    case 'service_down':
      return { code: 'AUTH_SERVICE_DOWN', severity: 'critical' };
    case 'function_failed':
      return { code: 'AUTH_SERVICE_DEGRADED', severity: 'major' };
    case 'slow':
      return { code: 'AUTH_SERVICE_SLOW', severity: 'minor' };
    default:
      return null;
  }
}

/** A service that is down explains its failing functions and its slowness. */
export const inhibitRules: InhibitRule[] = [{ source: ['AUTH_SERVICE_DOWN'], target: ['AUTH_SERVICE_DEGRADED', 'AUTH_SERVICE_SLOW'], equal: ['checkId'] }];
