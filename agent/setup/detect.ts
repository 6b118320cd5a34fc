import type { UsbDevice } from '../../firmware-bridge/usb/usb-presence.js';
import type { DeviceDiscovery, ModuleFile, SerialPortInfo } from './discovery/index.js';
import { knownUsbKey, knownUsbReader, type KnownUsbKey, type KnownUsbReader } from './known-devices.js';
import { scanPcsc, type PcscScan } from './pcsc-scan.js';
import { scanModule, type ModuleScan } from './token-scan.js';

/** Everything the wizard found, for the operator to choose from. Nothing in it came from opening a device. */
export interface Detection {
  serialPorts: SerialPortInfo[];
  usbReaders: Array<{ device: UsbDevice; known: KnownUsbReader }>;
  usbKeys: Array<{ device: UsbDevice; known: KnownUsbKey }>;
  pcsc: PcscScan | null;
  modules: Array<ModuleFile & { scan: ModuleScan | null }>;
}

export interface DetectOptions {
  /** Ask pcscd for its readers (off where PC/SC is not used). */
  pcsc?: boolean;
  /** Load each module found in a child to list its tokens (never logging in). */
  tokens?: boolean;
  moduleTimeoutMs?: number;
  /** Modules at paths no vendor table knows (a driver unpacked elsewhere), scanned like the known ones. */
  extraModules?: readonly string[];
}

export async function detectDevices(discovery: DeviceDiscovery, options: DetectOptions = {}): Promise<Detection> {
  const [serialPorts, usb, moduleFiles, pcsc] = await Promise.all([
    discovery.serialPorts(),
    discovery.usbDevices(),
    discovery.pkcs11Modules().then((known) => [
      ...known,
      ...(options.extraModules ?? []).filter((p) => !known.some((k) => k.path === p)).map((p) => ({ path: p, vendor: { zh: '指定的模块', en: 'module given' }, software: false })),
    ]),
    options.pcsc === false ? Promise.resolve(null) : scanPcsc(),
  ]);
  const usbReaders = usb.flatMap((device) => {
    const known = knownUsbReader(device.id);
    return known ? [{ device, known }] : [];
  });
  const usbKeys = usb.flatMap((device) => {
    const known = knownUsbKey(device.id);
    return known ? [{ device, known }] : [];
  });
  // One module at a time: two vendor drivers talking to one USB stack at once is what they are least tested for.
  const modules: Detection['modules'] = [];
  for (const file of moduleFiles) {
    modules.push({ ...file, scan: options.tokens === false ? null : await scanModule(file.path, { timeoutMs: options.moduleTimeoutMs ?? 15_000 }) });
  }
  return { serialPorts, usbReaders, usbKeys, pcsc, modules };
}
