import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { linuxSysfsUsb } from '../../../firmware-bridge/usb/usb-presence.js';
import { compareText } from '../../core/text.js';
import { KNOWN_PKCS11_MODULES_LINUX } from '../known-devices.js';
import type { DeviceDiscovery, ModuleFile, SerialPortInfo } from './types.js';

export interface LinuxDiscoveryOptions {
  /** Where sysfs is; a fake tree in tests, as for the USB reader check. */
  sysfsRoot?: string;
  /** Where device nodes are (serial/by-id lives under it). */
  devRoot?: string;
  /** Module locations to look at; the vendors' install paths by default. */
  modules?: typeof KNOWN_PKCS11_MODULES_LINUX;
}

/**
 * Linux: serial ports and USB devices from sysfs, PKCS#11 modules from their vendors' install paths. sysfs lists a
 * tty for every port a driver registered; the legacy 8250 driver registers ttyS0–31 whether or not a UART exists,
 * so those count only when the port has a real I/O address behind it (pyserial's list_ports does the same).
 */
export function linuxDiscovery(options: LinuxDiscoveryOptions = {}): DeviceDiscovery {
  const sysfs = options.sysfsRoot ?? '/sys';
  const dev = options.devRoot ?? '/dev';
  const usb = linuxSysfsUsb(sysfs);
  return {
    platform: 'linux',
    serialPorts: () => serialPorts(sysfs, dev),
    usbDevices: () => usb.list(),
    pkcs11Modules: () => moduleFiles(options.modules ?? KNOWN_PKCS11_MODULES_LINUX),
  };
}

async function serialPorts(sysfs: string, dev: string): Promise<SerialPortInfo[]> {
  const ttyDir = path.join(sysfs, 'class', 'tty');
  const names = await readdir(ttyDir).catch(() => [] as string[]);
  const stable = await stableNames(path.join(dev, 'serial', 'by-id'));
  const ports: SerialPortInfo[] = [];
  for (const name of names) {
    const device = path.join(ttyDir, name, 'device');
    const real = await realpath(device).catch(() => null);
    if (!real) continue; // virtual terminals, ptys: no device behind them
    const driver = await linkName(path.join(device, 'driver'));
    if (name.startsWith('ttyS') && !(await hasUart(path.join(ttyDir, name)))) continue;
    const usbDir = await usbAncestor(real, sysfs);
    const portPath = path.join(dev, name);
    ports.push({
      path: portPath,
      ...(stable.get(name) ? { stablePath: stable.get(name)! } : {}),
      ...(usbDir ? await usbFacts(usbDir) : {}),
      ...(driver ? { driver } : {}),
    });
  }
  return ports.sort((a, b) => compareText(a.path, b.path));
}

/** /dev/serial/by-id/<name> → tty name, e.g. "usb-FTDI_FT232R-if00-port0" → "ttyUSB0". */
async function stableNames(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const target = await readlink(path.join(dir, entry)).catch(() => null);
    if (target) out.set(path.basename(target), path.join(dir, entry));
  }
  return out;
}

/** An 8250 placeholder has port type 0 (PORT_UNKNOWN); a real UART has a type and an I/O port or memory base. */
async function hasUart(ttyEntry: string): Promise<boolean> {
  const type = await readText(path.join(ttyEntry, 'type'));
  return type !== undefined && type !== '0';
}

/** The USB device directory above a tty's device (the one with idVendor), if it hangs off USB at all. */
async function usbAncestor(realDevice: string, sysfs: string): Promise<string | null> {
  const stop = path.resolve(sysfs);
  for (let dir = realDevice; dir.startsWith(stop) && dir !== stop; dir = path.dirname(dir)) {
    if (await stat(path.join(dir, 'idVendor')).then(() => true, () => false)) return dir;
  }
  return null;
}

async function usbFacts(dir: string): Promise<Pick<SerialPortInfo, 'usbId' | 'product'>> {
  const [vendor, product, name] = await Promise.all(['idVendor', 'idProduct', 'product'].map((f) => readText(path.join(dir, f))));
  return { ...(vendor && product ? { usbId: `${vendor}:${product}`.toLowerCase() } : {}), ...(name ? { product: name } : {}) };
}

async function linkName(link: string): Promise<string | undefined> {
  const target = await readlink(link).catch(() => null);
  return target ? path.basename(target) : undefined;
}

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').then((s) => s.trim(), () => undefined);
}

async function moduleFiles(known: typeof KNOWN_PKCS11_MODULES_LINUX): Promise<ModuleFile[]> {
  const found: ModuleFile[] = [];
  const seen = new Set<string>();
  for (const m of known) {
    for (const p of m.paths) {
      const info = await stat(p).catch(() => null);
      if (!info?.isFile()) continue;
      // Several listed paths can be one file (a /usr/lib64 → /usr/lib link): report it once.
      const real = await realpath(p).catch(() => p);
      if (seen.has(real)) continue;
      seen.add(real);
      found.push({ path: p, vendor: m.name, software: m.software === true });
    }
  }
  return found;
}
