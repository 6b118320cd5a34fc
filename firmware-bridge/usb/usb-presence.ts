import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { compareText } from '../../agent/core/text.js';

/** A USB vendor:product pair, e.g. Decard 257b:3031 (德卡, 社保卡 reader). */
export interface UsbId {
  vendorId: number;
  productId: number;
}

export interface UsbDevice extends UsbId {
  /** "257b:3031", lower-case hex. */
  id: string;
  bus: number;
  /** Port chain below the root hub, e.g. "1.2" (port 2 of the hub on port 1). */
  devpath: string;
  /** Where it is plugged, as Linux names it: "<bus>-<devpath>", e.g. "1-1.2". Stable while it stays in that socket. */
  port: string;
  product?: string;
  manufacturer?: string;
}

/**
 * Lists the USB devices present. Only a presence view: no device is opened, so a reader driven by a vendor DLL
 * (USB-HID, which Guardpost cannot talk to) is never disturbed.
 */
export interface UsbPresenceBackend {
  readonly platform: string;
  list(): Promise<UsbDevice[]>;
  /** The present devices with one of these ids; may be cheaper than list() (it runs every second). */
  find?(ids: UsbId[]): Promise<UsbDevice[]>;
}

const USB_ID = /^([0-9a-f]{4}):([0-9a-f]{4})$/i;

/** Parses "257b:3031" (hex, as lsusb prints it); throws naming the bad value. */
export function parseUsbId(text: string): UsbId {
  const m = USB_ID.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a USB id; expected VID:PID in hex, e.g. "257b:3031"`);
  return { vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16) };
}

export function formatUsbId(id: UsbId): string {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return `${hex(id.vendorId)}:${hex(id.productId)}`;
}

/**
 * Linux: reads sysfs. /sys/bus/usb/devices holds one entry per device ("1-1.2") and per interface ("1-1.2:1.0");
 * devices have idVendor, idProduct, busnum and devpath files. `root` is configurable so tests use a fake tree.
 */
export function linuxSysfsUsb(root = '/sys'): UsbPresenceBackend {
  const devicesDir = path.join(root, 'bus', 'usb', 'devices');
  const deviceNames = async (): Promise<string[]> => {
    try {
      return (await readdir(devicesDir)).filter((name) => !name.includes(':'));
    } catch (error) {
      // No USB bus at all (a VM without a controller) is an empty list, not an error; a bad root is.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (await exists(path.join(root, 'bus')))) return [];
      throw new Error(`cannot read USB devices under ${devicesDir}: ${(error as Error).message}`, { cause: error });
    }
  };
  const present = (devices: Array<UsbDevice | null>) => devices.filter((d): d is UsbDevice => d !== null).sort((a, b) => compareText(a.port, b.port));
  return {
    platform: 'linux',
    async list() {
      const names = await deviceNames();
      return present(await Promise.all(names.map((name) => readDevice(path.join(devicesDir, name), name))));
    },
    async find(ids) {
      // Two small reads per device to match; the rest only for the matches.
      const wanted = new Set(ids.map(formatUsbId));
      const names = await deviceNames();
      const found = await Promise.all(
        names.map(async (name) => {
          const dir = path.join(devicesDir, name);
          const [vendor, product] = await Promise.all([attr(dir, 'idVendor'), attr(dir, 'idProduct')]);
          if (vendor === undefined || product === undefined || !wanted.has(`${vendor}:${product}`.toLowerCase())) return null;
          return readDevice(dir, name);
        }),
      );
      return present(found);
    },
  };
}

async function readDevice(dir: string, name: string): Promise<UsbDevice | null> {
  const [vendor, product, busnum, devpath] = await Promise.all(['idVendor', 'idProduct', 'busnum', 'devpath'].map((f) => attr(dir, f)));
  // A device can vanish between readdir and these reads (unplugged right now): then it is simply not there.
  if (vendor === undefined || product === undefined) return null;
  const vendorId = parseInt(vendor, 16);
  const productId = parseInt(product, 16);
  if (!Number.isFinite(vendorId) || !Number.isFinite(productId)) return null;
  const bus = busnum === undefined ? Number.parseInt(name, 10) : Number(busnum);
  // Root hubs ("usb1") have devpath 0; their port is the bus itself.
  const chain = devpath ?? name.split('-')[1] ?? '0';
  const [productName, manufacturer] = await Promise.all([attr(dir, 'product'), attr(dir, 'manufacturer')]);
  return {
    vendorId,
    productId,
    id: formatUsbId({ vendorId, productId }),
    bus,
    devpath: chain,
    port: chain === '0' ? `usb${bus}` : `${bus}-${chain}`,
    ...(productName ? { product: productName } : {}),
    ...(manufacturer ? { manufacturer } : {}),
  };
}

async function attr(dir: string, file: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(dir, file), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  return readdir(p).then(
    () => true,
    () => false,
  );
}

export class UsbUnsupportedError extends Error {
  override readonly name = 'UsbUnsupportedError';
}

/**
 * The backend for this OS. Windows is not supported yet (it would enumerate with SetupDiGetClassDevs or WMI
 * Win32_PnPEntity "USB\VID_257B&PID_3031\..." behind this same interface); asking for it throws a clear error.
 */
export function usbPresenceBackend(options: { sysfsRoot?: string; platform?: NodeJS.Platform } = {}): UsbPresenceBackend {
  const platform = options.platform ?? process.platform;
  if (platform === 'linux') return linuxSysfsUsb(options.sysfsRoot);
  throw new UsbUnsupportedError(`USB presence is not supported on ${platform} yet (Linux sysfs only)`);
}

/** The present devices matching any of `ids`, in port order. */
export async function findUsbDevices(backend: UsbPresenceBackend, ids: UsbId[]): Promise<UsbDevice[]> {
  if (backend.find) return backend.find(ids);
  const wanted = new Set(ids.map(formatUsbId));
  return (await backend.list()).filter((d) => wanted.has(d.id));
}
