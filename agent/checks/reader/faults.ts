import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultDefinition, FaultSignal, InhibitRule } from '../../core/faults/types.js';
import { resolveReaderConfig, type ReaderConfig } from './schema.js';

export const reasons = {
  not_found: { zh: '读卡器未连接（设备不存在或已拔出）', en: 'the reader is not connected (no device, or unplugged)' },
  port_error: { zh: '读卡器端口存在但无法打开（权限或驱动问题）', en: 'the reader\'s port exists but cannot be opened (permissions or driver)' },
  no_response: { zh: '读卡器无应答', en: 'the reader does not answer' },
  hardware_fault: { zh: '读卡器报告硬件故障', en: 'the reader reports a hardware fault' },
  link_errors: { zh: '读卡器通信错误率过高', en: 'too many failed or corrupted exchanges with the reader' },
  firmware_mismatch: { zh: '读卡器固件版本不在允许列表中', en: 'the reader\'s firmware version is not in the allowed list' },
  pcsc_service_down: { zh: '智能卡服务（PC/SC）未运行', en: 'the smart card service (PC/SC) is not running' },
  pending: { zh: '尚无结论：首次探测尚未完成', en: 'no verdict yet: the first probe has not finished' },
  not_observed: {
    zh: '读卡器当前无法观察（端口被其他程序占用，或桥接模式未开启探测且无通信）',
    en: 'the reader cannot be observed now (its port is held by another program, or a bridge with probes off has seen no traffic)',
  },
} as const;

export type ReaderReason = keyof typeof reasons;

export const faults: FaultDefinition[] = [
  {
    code: 'READER_NOT_FOUND',
    severity: 'critical',
    title: { zh: '读卡器未连接', en: 'Card reader not detected' },
    causes: [
      { zh: '读卡器 USB 线或串口线松动、脱落', en: 'the reader\'s USB or serial cable is loose or unplugged' },
      { zh: '电脑 USB 接口或 USB 集线器故障、供电不足', en: 'a faulty or under-powered USB port or hub' },
      { zh: '读卡器损坏或驱动（USB 转串口、CCID）未安装', en: 'the reader is broken, or its driver (USB-serial, CCID) is not installed' },
      { zh: '配置的端口名或设备编号与实际不符（换了 USB 口后 COM 口号变化）', en: 'the configured port or device id does not match (plugging into another USB socket can change the port name)' },
      { zh: 'Guardpost 没有打开该端口的权限（未加入 dialout 组）', en: 'Guardpost may not open the port (not in the dialout group)' },
    ],
    operator: {
      zh: '请检查读卡器的线是否插好：拔下读卡器 USB 线，等 5 秒后重新插入，尽量直接插在电脑主机后面的 USB 口上（不要经过 USB 集线器）。读卡器指示灯应亮起。如果仍然无法读卡，请联系维护热线，期间可使用医保电子凭证扫码结算。',
      en: 'Check the reader\'s cable: unplug the reader\'s USB cable, wait 5 seconds and plug it back in, preferably straight into a USB socket at the back of the PC (not through a hub). The reader\'s light should come on. If cards still cannot be read, call the maintenance hotline; meanwhile patients can pay with the medical-insurance e-voucher QR code.',
    },
    engineer: {
      zh: '确认设备是否被系统识别：Linux 用 lsusb 查看 VID:PID（德卡 257b:3031 等）、ls -l /dev/ttyUSB* /dev/serial/by-id/、dmesg | tail 看插拔记录；PC/SC 读卡器用 pcsc_scan 查看。换一个 USB 口或换线测试；确认驱动已安装、Guardpost 运行账户在 dialout 组内。若端口名变化，建议在配置中使用 /dev/serial/by-id/ 下的固定路径。',
      en: 'Check the system sees the device: on Linux lsusb for the VID:PID (Decard 257b:3031 etc.), ls -l /dev/ttyUSB* /dev/serial/by-id/, dmesg | tail for plug events; for PC/SC readers pcsc_scan. Try another USB socket or cable; check the driver is installed and Guardpost\'s account is in the dialout group. If the port name moves, configure the stable /dev/serial/by-id/ path.',
    },
  },
  {
    code: 'READER_NO_RESPONSE',
    severity: 'major',
    title: { zh: '读卡器无响应', en: 'Card reader not responding' },
    causes: [
      { zh: '读卡器死机，需要断电重启', en: 'the reader has hung and needs a power cycle' },
      { zh: '串口参数（波特率等）或协议与读卡器不符', en: 'line settings (baud rate etc.) or the protocol do not match the reader' },
      { zh: 'RS-232 串口线断开（串口设备节点仍在，但读卡器收不到命令）', en: 'an RS-232 cable is pulled (the port still exists but the reader hears nothing)' },
      { zh: '读卡器供电不足（USB 口或外接电源）', en: 'the reader lacks power (USB socket or its power adapter)' },
    ],
    operator: {
      zh: '请拔下读卡器的线（含电源线）等 10 秒后重新插上，然后重新打开医保结算软件再试读卡。如果仍不能读卡，请联系维护热线。',
      en: 'Unplug the reader (and its power cable if it has one), wait 10 seconds, plug it back in, then restart the settlement software and try reading a card again. If it still fails, call the maintenance hotline.',
    },
    engineer: {
      zh: '查看证据中的超时次数和最近一次应答时间；核对配置的协议 profile、波特率、数据位、校验位与读卡器说明书一致。断电重启读卡器；串口读卡器检查线缆和接头。桥接模式下可对比结算软件的请求是否也无应答（appTimeouts）。仍无应答则更换读卡器。',
      en: 'Read the timeouts and last reply time in the evidence; check the configured profile, baud rate, data bits and parity against the reader\'s manual. Power-cycle the reader; for RS-232 readers check the cable and connectors. In bridge mode compare whether the settlement software\'s requests go unanswered too (appTimeouts). If it still does not answer, replace the reader.',
    },
  },
  {
    code: 'READER_HW_FAULT',
    severity: 'major',
    title: { zh: '读卡器硬件故障', en: 'Card reader hardware fault' },
    causes: [
      { zh: '读卡器自检失败（卡座、射频模块或安全模块 PSAM 故障）', en: 'the reader\'s self-test failed (card slot, RF module or PSAM security module)' },
      { zh: '卡座脏污或有异物，触点接触不良', en: 'a dirty card slot or something stuck in it, poor contacts' },
      { zh: '读卡器受潮、摔落或老化损坏', en: 'the reader got damp, was dropped, or is worn out' },
    ],
    operator: {
      zh: '请检查卡口内是否有异物，不要强行插卡。可先拔插读卡器重试；若仍报故障，请停止使用该读卡器并联系维护热线更换，期间可使用医保电子凭证扫码结算。',
      en: 'Check nothing is stuck in the card slot and do not force cards in. Try unplugging and replugging the reader; if it still reports a fault, stop using it and call the maintenance hotline for a replacement. Meanwhile patients can pay with the medical-insurance e-voucher QR code.',
    },
    engineer: {
      zh: '证据中 hardwareFault 来自读卡器状态字（故障位或硬件故障状态码），来源为本检查的探测或结算软件的通信。清洁卡座后断电重启；用厂商工具做自检。故障持续则更换读卡器，并记录序列号和固件版本报厂商。',
      en: 'hardwareFault in the evidence comes from the reader\'s own status word (the fault bit or the hardware-fault status code), seen by this check\'s probe or in the settlement software\'s traffic. Clean the slot, power-cycle, and run the vendor\'s self-test tool. If it persists, replace the reader and report its serial number and firmware version to the vendor.',
    },
  },
  {
    code: 'READER_LINK_ERRORS',
    severity: 'minor',
    title: { zh: '读卡器通信不稳定', en: 'Card reader link unstable' },
    causes: [
      { zh: '串口线过长、接触不良或受到干扰（靠近电源线、电机）', en: 'a long, loose or disturbed cable (near power cables or motors)' },
      { zh: 'USB 转串口线质量差或 USB 口供电不稳', en: 'a poor USB-serial adapter or unstable USB power' },
      { zh: '读卡器响应慢或偶发死机', en: 'the reader answers slowly or hangs now and then' },
    ],
    operator: {
      zh: '读卡偶尔失败时请重试一次。请把读卡器线插牢，避免和电源线缠绕在一起；如果经常需要重试，请联系维护热线。',
      en: 'If a card read fails now and then, try once more. Plug the reader cable in firmly and keep it away from power cables; if retries are often needed, call the maintenance hotline.',
    },
    engineer: {
      zh: '证据给出窗口内交互次数、出错次数和错误率（超时、校验和错误、帧错误、NAK）。更换串口线或 USB 转串口适配器，改插主机后置 USB 口，检查接地；确认波特率设置一致。错误率持续偏高时考虑更换读卡器。',
      en: 'The evidence gives exchanges, errors and the error rate in the window (timeouts, checksum errors, framing errors, NAKs). Swap the serial cable or USB-serial adapter, use a USB socket at the back of the PC, check grounding; confirm the baud rate matches. If the rate stays high, consider replacing the reader.',
    },
  },
  {
    code: 'READER_FIRMWARE_MISMATCH',
    severity: 'minor',
    title: { zh: '读卡器固件版本不符', en: 'Card reader firmware not approved' },
    causes: [
      { zh: '更换了读卡器，新读卡器的固件版本未经认证', en: 'the reader was swapped for one whose firmware is not approved' },
      { zh: '读卡器固件被升级或降级', en: 'the reader\'s firmware was upgraded or downgraded' },
      { zh: '允许的版本列表未随新版本更新', en: 'the allowed version list was not updated for a new approved version' },
    ],
    operator: {
      zh: '读卡器可继续使用。请联系维护热线确认该读卡器是否为医保部门认可的型号和版本。',
      en: 'The reader can still be used. Call the maintenance hotline to confirm the reader and its version are approved for medical-insurance settlement.',
    },
    engineer: {
      zh: '证据中 firmwareVersion 为读卡器报告的版本。核对医保部门或厂商公布的认证版本：若为认可的新版本，将其加入配置 allowedFirmware；否则按厂商说明刷回认证固件或更换读卡器。',
      en: 'firmwareVersion in the evidence is what the reader reports. Check it against the versions the insurance authority or vendor approve: if it is a newly approved one, add it to allowedFirmware in the config; otherwise reflash the approved firmware as the vendor describes, or replace the reader.',
    },
  },
  {
    code: 'READER_NOT_OBSERVED',
    severity: 'minor',
    title: { zh: '读卡器长时间未被监测', en: 'Card reader not observed' },
    causes: [
      { zh: '结算软件一直占用读卡器串口，探测模式（serial-probe）无法询问读卡器', en: 'the settlement software keeps the reader\'s serial port open, so serial-probe mode cannot ask the reader anything' },
      { zh: '桥接模式已配置，但结算软件仍在使用真实串口而不是桥接端口', en: 'bridge mode is configured but the settlement software still opens the real port, not the bridge\'s' },
      { zh: '桥接模式关闭了自身探测（idleProbeSeconds 为 0），且结算软件长时间未使用读卡器', en: 'bridge mode has its own probes off (idleProbeSeconds 0) and the settlement software has not used the reader for a long time' },
    ],
    operator: {
      zh: '读卡器可以继续使用，这不表示读卡器有故障，只是监控暂时看不到它。请联系维护人员调整监控设置。',
      en: 'The reader can still be used: this does not mean it is broken, only that monitoring cannot see it. Ask maintenance to adjust the monitoring set-up.',
    },
    engineer: {
      zh: '证据中 inUseBy 为占用端口的程序，notObservedSeconds 为未观察到的秒数。要在结算软件占用端口时持续监测，请改用桥接模式（mode: serial-bridge），并把结算软件的读卡器端口改为 bridge.path（见读卡器检查 README 的“Pointing the settlement software at the bridge”）。桥接模式下若仍占用真实端口，说明结算软件尚未改指向桥接端口。确实无法监测时可调大或设为 0 关闭 notObservedAfterSeconds。',
      en: 'inUseBy in the evidence is the program holding the port, notObservedSeconds how long the reader has not been observed. To watch a port the settlement software holds, use bridge mode (mode: serial-bridge) and point the settlement software at bridge.path (the reader check\'s README, "Pointing the settlement software at the bridge"). In bridge mode a held real port means the settlement software has not been repointed yet. Where the reader truly cannot be watched, raise notObservedAfterSeconds or set it to 0.',
    },
  },
  {
    code: 'PCSC_SERVICE_DOWN',
    severity: 'critical',
    title: { zh: '智能卡服务未运行', en: 'Smart Card service not running' },
    causes: [
      { zh: 'Windows 的 Smart Card 服务（SCardSvr）被停止或设为禁用', en: 'the Windows Smart Card service (SCardSvr) is stopped or disabled' },
      { zh: 'Linux 的 pcscd 服务未启动或已崩溃', en: 'pcscd on Linux is not started or has crashed' },
      { zh: '系统优化软件关闭了智能卡服务', en: 'a system "optimiser" switched the smart card service off' },
    ],
    operator: {
      zh: '所有插卡式读卡器此时都无法读卡。请重启电脑；若重启后仍提示，请联系维护热线。期间可使用医保电子凭证扫码结算。',
      en: 'No smart card reader can read cards right now. Restart the PC; if the message comes back, call the maintenance hotline. Meanwhile patients can pay with the medical-insurance e-voucher QR code.',
    },
    engineer: {
      zh: 'Windows：services.msc 中启动 Smart Card 服务并设为自动（或以管理员运行 sc config SCardSvr start= auto 与 net start SCardSvr；服务损坏时 scardsvr reinstall）。Linux：systemctl enable --now pcscd.socket pcscd，journalctl -u pcscd 查看崩溃原因，确认 /run/pcscd/pcscd.comm 存在。服务恢复后本检查会自动重新连接，无需重启 Guardpost。',
      en: 'Windows: start the Smart Card service in services.msc and set it to Automatic (or, as administrator, sc config SCardSvr start= auto and net start SCardSvr; if the service is broken, scardsvr reinstall). Linux: systemctl enable --now pcscd.socket pcscd, read journalctl -u pcscd for the crash, check /run/pcscd/pcscd.comm exists. This check reconnects by itself once the service is back; Guardpost need not be restarted.',
    },
  },
];

/** Reasons that always raise their fault; pending and not_observed only after notObservedAfterSeconds. */
const FAULT_OF: Record<Exclude<ReaderReason, 'pending' | 'not_observed'>, FaultSignal> = {
  not_found: { code: 'READER_NOT_FOUND', severity: 'critical' },
  port_error: { code: 'READER_NOT_FOUND', severity: 'critical' },
  no_response: { code: 'READER_NO_RESPONSE', severity: 'major' },
  hardware_fault: { code: 'READER_HW_FAULT', severity: 'major' },
  link_errors: { code: 'READER_LINK_ERRORS', severity: 'minor' },
  firmware_mismatch: { code: 'READER_FIRMWARE_MISMATCH', severity: 'minor' },
  pcsc_service_down: { code: 'PCSC_SERVICE_DOWN', severity: 'critical' },
};

export function rules(result: ProbeResult, config: ReaderConfig): FaultSignal | null {
  // No verdict is no fault, unless it lasts: a pending that never ends (a bridge whose line is never quiet and never
  // carries a whole exchange) is as unobserved as a busy port.
  if (result.reason === 'not_observed' || result.reason === 'pending') {
    const after = resolveReaderConfig(config).notObservedAfterSeconds;
    const unseen = result.evidence.notObservedSeconds;
    if (after === 0) return null;
    // A result that does not say for how long counts as too long: no evidence of a recent observation.
    return typeof unseen === 'number' && unseen < after ? null : { code: 'READER_NOT_OBSERVED', severity: 'minor' };
  }
  return Object.hasOwn(FAULT_OF, result.reason) ? FAULT_OF[result.reason as keyof typeof FAULT_OF] : null;
}

/**
 * The probe already reports a missing reader or a stopped service alone; these rules cover the moment a check runs
 * against a reader some other fault is open for: an unplugged reader explains its link and response faults.
 */
export const inhibitRules: InhibitRule[] = [
  {
    source: ['READER_NOT_FOUND', 'PCSC_SERVICE_DOWN'],
    target: ['READER_NO_RESPONSE', 'READER_HW_FAULT', 'READER_LINK_ERRORS', 'READER_FIRMWARE_MISMATCH', 'READER_NOT_OBSERVED'],
    equal: ['checkId'],
  },
];
