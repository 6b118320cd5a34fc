import type { FaultDefinition } from './types.js';
import { text as t } from '../text.js';

/** Faults of the agent itself and of the check framework (any check can raise the CHECK_* ones). */
export const CORE_FAULTS: FaultDefinition[] = [
  {
    code: 'CHECK_TIMEOUT',
    severity: 'major',
    title: t('检查超时', 'Check timed out'),
    causes: [
      t('被检查的设备或服务无响应（驱动挂起、网络阻塞）', 'the device or service being checked does not answer (hung driver, blocked network)'),
      t('终端负载过高', 'the terminal is overloaded'),
    ],
    operator: t('如结算正常可暂不处理；如同时无法结算，请重新插拔设备或重启终端后致电服务热线。', 'If settlement works, no action is needed now; if it does not, re-plug the device or restart the terminal, then call the hotline.'),
    engineer: t('查看该检查的最近失败记录与日志，确认是哪一步挂起；隔离检查会被自动终止并重启。', "Read the check's recent failures and the agent log to see which step hangs; isolated checks are killed and restarted automatically."),
  },
  {
    code: 'CHECK_CRASHED',
    severity: 'major',
    title: t('检查进程崩溃', 'Check process crashed'),
    causes: [t('厂商驱动（PKCS#11、读卡器 DLL）崩溃', 'a vendor driver (PKCS#11 module, reader DLL) crashed'), t('驱动版本与系统不兼容', 'the driver version does not match the system')],
    operator: t('代理本身仍在运行。如设备不可用，请重新插拔设备；问题持续请致电服务热线。', 'The agent itself keeps running. If the device does not work, re-plug it; if the problem stays, call the hotline.'),
    engineer: t('查看故障证据中的退出码/信号与错误输出；核对驱动版本，必要时重装厂商驱动。', 'Read the exit code or signal and the stderr tail in the evidence; check the driver version and reinstall the vendor driver if needed.'),
  },
  {
    code: 'CHECK_ERROR',
    severity: 'major',
    title: t('检查程序错误', 'Check failed with an internal error'),
    causes: [t('检查配置与现场环境不符', 'the check configuration does not match this site'), t('代理软件缺陷', 'a defect in the agent')],
    operator: t('无需操作，请告知服务热线。', 'Nothing to do on site; tell the hotline.'),
    engineer: t('查看证据中的错误信息，核对该检查的配置；如为软件缺陷请附诊断信息上报。', 'Read the error in the evidence and the check configuration; report agent defects with the diagnostics.'),
  },
  {
    code: 'STATE_RECOVERED',
    severity: 'minor',
    title: t('状态文件已恢复', 'State file recovered'),
    causes: [t('断电或强制关机时正在写入状态文件', 'power was lost or the terminal was switched off while the state file was written'), t('磁盘故障', 'disk failure')],
    operator: t('无需操作。如经常出现，请检查终端电源与 UPS。', 'Nothing to do. If it happens often, check the power supply and UPS.'),
    engineer: t('损坏的文件已移到状态目录（.corrupt-时间）；已从上一份完好副本恢复。核对是否有事件缺失，并检查磁盘健康。', 'The damaged file was moved aside in the state directory (.corrupt-<time>) and the last good copy restored. Check for missing events and check disk health.'),
  },
  {
    code: 'STORE_WRITE_FAILED',
    severity: 'critical',
    title: t('无法保存监控状态', 'Cannot save monitoring state'),
    causes: [t('磁盘已满', 'the disk is full'), t('状态目录被删除或变为只读', 'the state directory was removed or became read-only'), t('磁盘故障', 'disk failure')],
    operator: t('清理磁盘空间（如回收站、临时文件），然后致电服务热线。', 'Free disk space (recycle bin, temporary files), then call the hotline.'),
    engineer: t('代理正以内存方式继续运行并定时重试；停电将丢失未保存的故障事件。检查磁盘空间、目录权限与文件系统状态。', 'The agent keeps running from memory and retries; a power loss now would lose unsaved fault events. Check free space, directory permissions and the filesystem.'),
  },
  {
    code: 'OUTBOX_OVERFLOW',
    severity: 'major',
    title: t('待发送故障事件过多，已丢弃部分', 'Too many undelivered fault events; some were dropped'),
    causes: [t('长时间无法连接服务台', 'the desk has been unreachable for a long time'), t('某项检查反复变化', 'a check keeps changing state')],
    operator: t('检查网络连接；无需其他操作。', 'Check the network connection; nothing else to do.'),
    engineer: t('先丢弃的是轻微故障的更新；严重和一般故障的发生与恢复最后才丢弃。恢复服务台连接，并查看哪项检查产生了大量事件。', 'Minor updates are dropped first; openings and resolutions of critical and major faults last. Restore the desk connection and find the check producing the events.'),
  },
  // Raised by the desk tunnel (agent/tunnel/sources.ts) when it closed a desk connection for a protocol violation that
  // could cost the agent data or memory (close codes 4008, 4009); resolved by the next clean session.
  {
    code: 'DESK_PROTOCOL_VIOLATION',
    severity: 'major',
    title: t('服务台违反通信协议，连接已断开', 'The desk broke the protocol; the connection was closed'),
    causes: [
      t('服务台数据库从旧备份恢复，或服务台软件缺陷，声称已收到本终端从未发送的事件', 'the desk database was restored from an old backup, or a desk bug, claims events this terminal never sent'),
      t('服务台或冒充服务台的程序在短时间内发送大量消息', 'the desk, or something posing as it, sends a flood of messages'),
    ],
    operator: t('结算不受影响，未送达的故障事件仍保存在本机。请联系运维服务商。', 'Settlement is not affected; undelivered fault events stay on this terminal. Call the service provider.'),
    engineer: t('查看证据中的关闭码与原因。4008：核对服务台为该终端记录的最后序号（desk-cli agents），服务台数据恢复后应以终端实际发送的序号为准，终端不会丢弃未确认事件。4009：检查服务台版本与负载，确认连接的确实是本单位服务台。', 'Read the close code and reason in the evidence. 4008: compare the last seq the desk holds for this terminal (desk-cli agents) with the terminal\'s own; after a desk restore the terminal\'s seqs are right and it keeps every unacknowledged event. 4009: check the desk version and load, and that the agent is talking to your desk.'),
  },
  // Raised by the desk tunnel (agent/tunnel/sources.ts) when the desk closes with 4010: this agent's certificate was
  // revoked (desk-cli revoke, or replaced by enrolling the terminal again); cleared by a session the desk accepts.
  {
    code: 'AGENT_REVOKED',
    severity: 'major',
    title: t('服务台已吊销本终端的证书', "The desk revoked this terminal's certificate"),
    causes: [
      t('服务工程师吊销了该终端（更换设备、终端报废或证书泄露）', 'a service engineer revoked this terminal (device replaced, retired, or its key exposed)'),
      t('同一终端编号在另一台设备上重新注册，旧证书被替换', 'the same agent id was enrolled again on another machine, which replaced this certificate'),
    ],
    operator: t('结算不受影响，但故障无法上报服务台。请致电服务热线，申请新的注册码。', 'Settlement is not affected, but faults no longer reach the desk. Call the hotline for a new enrollment code.'),
    engineer: t('用 guardpost desk-cli certs AGENT 查看吊销原因；如属误操作，签发新的注册码（desk-cli enroll-code）并在终端执行 guardpost enroll。', 'See why with guardpost desk-cli certs AGENT; if it was a mistake, issue a new code (desk-cli enroll-code) and run guardpost enroll on the terminal.'),
  },
  // Raised by certificate renewal (agent/tunnel/cert-renewal.ts) when the client certificate is inside
  // desk.renewBeforeDays and renewal has not worked; major in its last 7 days. Cleared by a renewed certificate.
  {
    code: 'AGENT_CERT_EXPIRING',
    severity: 'minor',
    title: t('终端证书即将到期且未能续期', 'The terminal certificate expires soon and was not renewed'),
    causes: [
      t('服务台拒绝续期（证书请求无效，或服务台无法签发）', 'the desk refused the renewal (invalid request, or it cannot sign)'),
      t('长时间无法连接服务台，续期请求未送达', 'the desk has been unreachable, so the renewal never reached it'),
      t('私钥有口令保护，需人工更换', 'the key is passphrase-protected and must be replaced by hand'),
    ],
    operator: t('结算不受影响。证书到期后故障将无法上报服务台，请致电服务热线。', 'Settlement is not affected. Once the certificate expires, faults no longer reach the desk: call the hotline.'),
    engineer: t('查看证据中的剩余天数与原因；检查服务台日志中的续期记录（desk-cli certs AGENT），必要时签发注册码重新注册（guardpost enroll）。', 'Read the days left and the reason in the evidence; check the desk log and desk-cli certs AGENT; if needed, issue a code and enroll again (guardpost enroll).'),
  },
  // Raised by the desk tunnel (agent/tunnel/sources.ts) while it cannot reach the desk: minor after
  // desk.unreachable.minorAfterMinutes (10), major after majorAfterMinutes (240). Delivered when the desk is back.
  {
    code: 'DESK_UNREACHABLE',
    severity: 'minor',
    title: t('无法连接运维服务台', 'Cannot reach the service desk'),
    causes: [
      t('医保专网或医院网络中断，或防火墙拦截了到服务台的出站连接', 'the insurance network or the hospital network is down, or a firewall blocks the outbound connection to the desk'),
      t('代理服务器不可用，或代理账号密码错误', 'the proxy is down, or its user name or password is wrong'),
      t('终端证书过期、被吊销，或服务台证书与固定的密钥不符', "the terminal's certificate expired or was revoked, or the desk's certificate does not match the pinned key"),
      t('服务台正在维护', 'the desk is under maintenance'),
    ],
    operator: t('结算不受影响，故障事件会保存在本机，连接恢复后自动补发。如网络其他业务也不通，请检查网线和路由器。', 'Settlement is not affected; fault events are kept on this terminal and sent when the connection is back. If other network services fail too, check the cable and the router.'),
    engineer: t('查看证据中的最后错误（代理 407、证书不受信任、连接被拒绝、超时）。核对 desk.url、代理设置与 HTTPS_PROXY/NO_PROXY、系统时间和终端证书有效期；在终端上执行 guardpost status 查看待发送事件数。', 'Read the last error in the evidence (proxy 407, certificate not trusted, connection refused, timeout). Check desk.url, the proxy settings and HTTPS_PROXY/NO_PROXY, the clock, and the terminal certificate validity; run guardpost status on the terminal for the number of undelivered events.'),
  },
];
