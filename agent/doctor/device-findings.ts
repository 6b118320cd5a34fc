import { statSync } from 'node:fs';
import { findUsbDevices, parseUsbId, usbPresenceBackend } from '../../firmware-bridge/usb/usb-presence.js';
import type { Secret } from '../core/config/secret.js';
import type { GuardpostConfig, LoadedCheck } from '../core/config/types.js';
import { scanPcsc, type PcscScan } from '../setup/pcsc-scan.js';
import { scanModule } from '../setup/token-scan.js';
import { finding, type Finding } from './types.js';

interface ReaderSettings {
  mode: string;
  port: string;
  usb: { ids: string[]; sysfsRoot: string };
  pcsc: { readerName: string };
}

interface TokenSettings {
  tokens: Array<{ module: string; label: string; serial: string; env: Array<{ name: string; value: string | Secret }> }>;
}

/**
 * Every configured device as the service would find it: serial ports exist, USB ids are on the bus, PC/SC readers
 * are known to pcscd, PKCS#11 modules load and show the configured token. Read only, as the checks are: no port
 * opened, no card read, no login.
 */
export async function deviceFindings(cfg: GuardpostConfig): Promise<Finding[]> {
  const out: Finding[] = [];
  let pcsc: PcscScan | undefined;
  for (const check of cfg.checks.filter((c) => c.enabled)) {
    if (check.type === 'reader') {
      const s = check.settings as unknown as ReaderSettings;
      if (s.mode === 'pcsc') out.push(pcscFinding(check, s, (pcsc ??= await scanPcsc())));
      else if (s.mode === 'usb') out.push(await usbFinding(check, s));
      else out.push(serialFinding(check, s));
    } else if (check.type === 'token') {
      for (const t of (check.settings as unknown as TokenSettings).tokens) out.push(await tokenFinding(check, t));
    }
  }
  return out;
}

function serialFinding(check: LoadedCheck, s: ReaderSettings): Finding {
  try {
    const st = statSync(s.port);
    if (st.isCharacterDevice()) return finding('devices', `${check.id}: ${s.port}`, 'ok', { zh: '串口存在', en: 'serial port present' });
    return finding('devices', `${check.id}: ${s.port}`, 'fail', { zh: '不是串口设备', en: 'not a serial device' }, { zh: `检查配置 checks.${check.id}.port`, en: `check checks.${check.id}.port` });
  } catch {
    return finding(
      'devices',
      `${check.id}: ${s.port}`,
      'fail',
      { zh: '串口不存在（读卡器未插或驱动未装）', en: 'no such serial port (reader unplugged or its USB-serial driver missing)' },
      { zh: `插好读卡器；用 guardpost init 重新检测端口名，修改 checks.${check.id}.port`, en: `plug the reader in; run guardpost init to list the ports and fix checks.${check.id}.port` },
    );
  }
}

async function usbFinding(check: LoadedCheck, s: ReaderSettings): Promise<Finding> {
  const ids = s.usb.ids.join(', ');
  try {
    const found = await findUsbDevices(usbPresenceBackend({ sysfsRoot: s.usb.sysfsRoot }), s.usb.ids.map(parseUsbId));
    if (found.length) return finding('devices', `${check.id}: USB ${ids}`, 'ok', { zh: `已插在 ${found[0]!.port}`, en: `plugged in at ${found[0]!.port}` });
    return finding('devices', `${check.id}: USB ${ids}`, 'fail', { zh: 'USB 上没有这个读卡器', en: 'this reader is not on the USB bus' }, { zh: '插好读卡器（换一个 USB 口试试）', en: 'plug the reader in (try another USB socket)' });
  } catch (err) {
    return finding('devices', `${check.id}: USB ${ids}`, 'fail', { zh: `无法列出 USB 设备：${(err as Error).message}`, en: `cannot list USB devices: ${(err as Error).message}` });
  }
}

function pcscFinding(check: LoadedCheck, s: ReaderSettings, scan: PcscScan): Finding {
  const subject = `${check.id}: PC/SC ${s.pcsc.readerName || '*'}`;
  if (scan.service === 'down') {
    return finding('devices', subject, 'fail', { zh: `PC/SC 服务不可用：${scan.error ?? ''}`, en: `the PC/SC service is not available: ${scan.error ?? ''}` }, { zh: 'systemctl enable --now pcscd.socket', en: 'systemctl enable --now pcscd.socket' });
  }
  const want = s.pcsc.readerName.toLowerCase();
  const reader = scan.readers.find((r) => r.name.toLowerCase().includes(want));
  if (reader) return finding('devices', subject, 'ok', { zh: `读卡器 "${reader.name}"`, en: `reader "${reader.name}"` });
  const seen = scan.readers.map((r) => r.name).join(', ') || '—';
  return finding('devices', subject, 'fail', { zh: `pcscd 没有这个读卡器（现有：${seen}）`, en: `pcscd has no such reader (present: ${seen})` }, { zh: '插好读卡器，或修改 readerName', en: 'plug the reader in, or fix readerName' });
}

async function tokenFinding(check: LoadedCheck, t: TokenSettings['tokens'][number]): Promise<Finding> {
  const subject = `${check.id}: ${t.module}`;
  // The module's own variables (SOFTHSM2_CONF, a vendor's config path), revealed only into the scanning child.
  const env = { ...process.env, ...Object.fromEntries(t.env.map((v) => [v.name, typeof v.value === 'string' ? v.value : v.value.reveal()])) };
  const scan = await scanModule(t.module, { env });
  if (!scan.ok) {
    return finding('devices', subject, 'fail', { zh: `PKCS#11 模块无法加载：${scan.error}`, en: `the PKCS#11 module does not load: ${scan.error}` }, {
      zh: '按 CA 的安装包重装 USBKey 驱动，核对 module 路径；ldd 模块 可查缺少的库',
      en: "reinstall the USBKey driver from the CA's package and check the module path; ldd <module> shows missing libraries",
    });
  }
  const match = scan.tokens.find((k) => (!t.label || k.label === t.label) && (!t.serial || k.serial === t.serial));
  const want = [t.label && `"${t.label}"`, t.serial && `serial ${t.serial}`].filter(Boolean).join(' ') || 'any';
  if (!match) {
    const seen = scan.tokens.map((k) => `"${k.label}" ${k.serial}`).join(', ') || '—';
    return finding('devices', subject, 'fail', { zh: `模块已加载，但没有令牌 ${want}（现有：${seen}）`, en: `the module loads but token ${want} is not there (present: ${seen})` }, { zh: '插好 USBKey', en: 'plug the USBKey in' });
  }
  if (match.flags.pinLocked) return finding('devices', subject, 'fail', { zh: `令牌 "${match.label}" PIN 已锁定`, en: `token "${match.label}" has its PIN locked` }, { zh: '联系 CA 解锁', en: 'ask the CA to unlock it' });
  return finding('devices', subject, 'ok', { zh: `模块可加载，令牌 "${match.label}" 在位`, en: `module loads, token "${match.label}" present` });
}
