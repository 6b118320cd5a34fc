import type { Text } from '../core/text.js';
import type { Detection } from './detect.js';

/** A check the wizard offers to add, with why, and whether --non-interactive takes it without being asked. */
export interface ProposedCheck {
  id: string;
  config: Record<string, unknown>;
  why: Text;
  byDefault: boolean;
}

/** Things found that need a person, not a check: a key plugged in without its driver, a PIN already locked. */
export type SetupNote = Text;

/** PC/SC names end in the reader's slot numbers ("Decard T10 00 00"), which change when another reader is plugged. */
export const stablePcscName = (name: string): string => name.replace(/(\s+\d{2})+$/, '').trim();

export interface ProposalOptions {
  /** Serial ports named on the command line: only these are probed (a port may hold a printer or a scale). */
  serialPorts?: readonly string[];
  /** Variables the modules were scanned with that they also need at run time (SoftHSM2's SOFTHSM2_CONF). */
  moduleEnv?: Readonly<Record<string, string>>;
}

export function proposeChecks(found: Detection, options: ProposalOptions = {}): { checks: ProposedCheck[]; notes: SetupNote[] } {
  const checks: ProposedCheck[] = [];
  const notes: SetupNote[] = [];
  const wantedSerial = new Set(options.serialPorts ?? []);

  found.pcsc?.readers.forEach((r, i) => {
    checks.push({
      id: `reader-pcsc${i + 1}`,
      config: { type: 'reader', mode: 'pcsc', name: r.name, pcsc: { readerName: stablePcscName(r.name) } },
      why: { zh: `PC/SC 读卡器 "${r.name}"`, en: `PC/SC reader "${r.name}"` },
      byDefault: true,
    });
  });
  found.usbReaders.forEach(({ device, known }, i) => {
    checks.push({
      id: `reader-usb${i + 1}`,
      config: { type: 'reader', mode: 'usb', name: known.name.zh, usb: { ids: [device.id] } },
      why: { zh: `USB ${device.id}（${known.name.zh}），插在 ${device.port}`, en: `USB ${device.id} (${known.name.en}) on port ${device.port}` },
      byDefault: true,
    });
  });
  found.serialPorts.forEach((p, i) => {
    const port = p.stablePath ?? p.path;
    const what = [p.product, p.usbId, p.driver].filter(Boolean).join(', ');
    checks.push({
      id: `reader-serial${i + 1}`,
      config: { type: 'reader', mode: 'serial-probe', name: `串口读卡器 ${port}`, port },
      why: { zh: `串口 ${port}${what ? `（${what}）` : ''}：只在确认是读卡器时监控`, en: `serial port ${port}${what ? ` (${what})` : ''}: watch only if a card reader is on it` },
      // A serial port may be anything (a receipt printer, a scale): never probed unless named.
      byDefault: wantedSerial.has(port) || wantedSerial.has(p.path),
    });
  });

  let tokenIndex = 0;
  for (const m of found.modules) {
    if (!m.scan) continue;
    if (!m.scan.ok) {
      notes.push({ zh: `PKCS#11 模块 ${m.path} 无法使用：${m.scan.error}`, en: `PKCS#11 module ${m.path} cannot be used: ${m.scan.error}` });
      continue;
    }
    for (const t of m.scan.tokens.filter((t) => t.flags.initialized)) {
      tokenIndex++;
      const env = Object.entries(options.moduleEnv ?? {}).map(([name, value]) => ({ name, value }));
      checks.push({
        id: tokenIndex === 1 ? 'usbkey' : `usbkey${tokenIndex}`,
        // The label and serial pin the check to this key: another CA's key plugged in instead is a fault, not a pass.
        config: { type: 'token', tokens: [{ module: m.path, label: t.label, ...(t.serial ? { serial: t.serial } : {}), ...(env.length ? { env } : {}) }] },
        why: { zh: `${m.vendor.zh}：令牌 "${t.label}"（序列号 ${t.serial || '—'}）`, en: `${m.vendor.en}: token "${t.label}" (serial ${t.serial || '—'})` },
        byDefault: true,
      });
      if (t.flags.pinLocked) notes.push({ zh: `令牌 "${t.label}" 的 PIN 已锁定：请联系 CA 解锁`, en: `token "${t.label}" has its PIN locked: ask the CA to unlock it` });
      else if (t.flags.pinFinalTry) notes.push({ zh: `令牌 "${t.label}" 只剩最后一次 PIN 尝试`, en: `token "${t.label}" has one PIN try left` });
    }
  }
  for (const { device, known } of found.usbKeys) {
    const hasModule = known.modules.some((file) => found.modules.some((m) => m.path.endsWith(`/${file}`)));
    if (!hasModule) {
      notes.push({
        zh: `插着 ${known.name.zh}（${device.id}），但没有找到它的 PKCS#11 驱动${known.modules.length ? `（${known.modules.join('、')}）` : ''}：按 CA 的安装包安装驱动后再运行 guardpost init`,
        en: `${known.name.en} (${device.id}) is plugged in but its PKCS#11 driver${known.modules.length ? ` (${known.modules.join(', ')})` : ''} was not found: install the CA's driver package, then run guardpost init again`,
      });
    }
  }
  return { checks, notes };
}

