import type { Text } from '../core/text.js';

/**
 * What the set-up wizard recognises on sight. Sources are in ../shared/notes/domain.md: the Alipay IoT reader list
 * (USB ids of 德卡 and 握奇 readers), the GDCA signing plugin's USBKey table (VID&PID per CA) and the drivers'
 * install paths on Kylin and UOS. An entry here only suggests; the operator (or --non-interactive's rules) decides.
 */
export interface KnownUsbReader {
  id: string;
  name: Text;
}

export const KNOWN_USB_READERS: readonly KnownUsbReader[] = [
  { id: '257b:3031', name: { zh: '德卡社保卡读卡器', en: 'Decard social-security card reader' } },
  { id: '163c:0a28', name: { zh: '握奇 W5181 plus 读卡器', en: 'Watchdata W5181 plus reader' } },
];

export interface KnownUsbKey {
  id: string;
  name: Text;
  /** PKCS#11 module file names its driver installs, when one is known (some ship only an SKF library). */
  modules: readonly string[];
}

export const KNOWN_USB_KEYS: readonly KnownUsbKey[] = [
  { id: '055c:db08', name: { zh: '龙脉 GM3000 USBKey', en: 'Longmai GM3000 USBKey' }, modules: ['libgm3000_pkcs11.so'] },
  { id: '096e:0309', name: { zh: '飞天 3000GM USBKey（深圳 CA）', en: 'Feitian 3000GM USBKey (SZCA)' }, modules: [] },
  { id: '5448:0003', name: { zh: '海泰 USBKey', en: 'Haitai USBKey' }, modules: [] },
  { id: '6588:1514', name: { zh: '北京 CA USBKey', en: 'BJCA USBKey' }, modules: [] },
  { id: '22fb:1014', name: { zh: '北京 CA USBKey（USK218）', en: 'BJCA USBKey (USK218)' }, modules: [] },
];

export interface KnownPkcs11Module {
  name: Text;
  /** Absolute paths where its installer puts it, most usual first. */
  paths: readonly string[];
  /** A software token for tests and labs, never a settlement key: proposed only when it holds a token. */
  software?: boolean;
}

const LIB_DIRS = ['/usr/lib', '/usr/lib64', '/usr/local/lib', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib/loongarch64-linux-gnu', '/usr/lib/mips64el-linux-gnuabi64'];
const inLibDirs = (file: string, dirs: readonly string[] = LIB_DIRS) => dirs.map((d) => `${d}/${file}`);

/** Linux (Debian, UOS, Kylin) locations. Windows drivers register DLLs in System32 instead; see docs/windows-service.md. */
export const KNOWN_PKCS11_MODULES_LINUX: readonly KnownPkcs11Module[] = [
  { name: { zh: '飞天 ePass2003', en: 'Feitian ePass2003' }, paths: inLibDirs('libcastle.so.1.0.0') },
  {
    name: { zh: '龙脉 GM3000', en: 'Longmai GM3000' },
    paths: ['/opt/lm-gm3000/lib/libgm3000_pkcs11.so', '/opt/apps/com.longmai.gm3000user/files/lib/libgm3000_pkcs11.so', ...inLibDirs('libgm3000_pkcs11.so')],
  },
  { name: { zh: '握奇', en: 'Watchdata' }, paths: inLibDirs('libwdpkcs.so') },
  { name: { zh: 'OpenSC（通用智能卡）', en: 'OpenSC (generic smart cards)' }, paths: [...inLibDirs('opensc-pkcs11.so'), ...inLibDirs('pkcs11/opensc-pkcs11.so')] },
  { name: { zh: 'SoftHSM2（软件令牌，测试用）', en: 'SoftHSM2 (software token, for tests)' }, paths: [...inLibDirs('softhsm/libsofthsm2.so'), ...inLibDirs('libsofthsm2.so')], software: true },
];

export const knownUsbReader = (id: string) => KNOWN_USB_READERS.find((r) => r.id === id);
export const knownUsbKey = (id: string) => KNOWN_USB_KEYS.find((k) => k.id === id);
