import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A device to put into a fake /sys tree, named the way Linux names it ("1-1.2" = bus 1, hub port 1, port 2). */
export interface FakeUsbDevice {
  name: string;
  idVendor: string;
  idProduct: string;
  product?: string;
  manufacturer?: string;
}

/**
 * Writes devices into `<root>/bus/usb/devices/` as Linux lays them out (device directories plus an interface
 * directory "<name>:1.0" without ids, and a root hub "usb<bus>"). Real sysfs entries are symlinks into
 * /sys/devices; the reader follows either, so plain directories do.
 */
export async function plugFakeUsb(root: string, device: FakeUsbDevice): Promise<void> {
  const devices = path.join(root, 'bus', 'usb', 'devices');
  const [busText, chain] = device.name.split('-') as [string, string];
  const hub = path.join(devices, `usb${busText}`);
  await mkdir(hub, { recursive: true });
  await writeFiles(hub, { idVendor: '1d6b', idProduct: '0002', busnum: busText, devpath: '0', product: 'EHCI Host Controller' });
  const dir = path.join(devices, device.name);
  await mkdir(dir, { recursive: true });
  await writeFiles(dir, {
    idVendor: device.idVendor,
    idProduct: device.idProduct,
    busnum: busText,
    devpath: chain,
    ...(device.product ? { product: device.product } : {}),
    ...(device.manufacturer ? { manufacturer: device.manufacturer } : {}),
  });
  const iface = path.join(devices, `${device.name}:1.0`);
  await mkdir(iface, { recursive: true });
  await writeFiles(iface, { bInterfaceClass: '0b' });
}

export async function unplugFakeUsb(root: string, name: string): Promise<void> {
  const devices = path.join(root, 'bus', 'usb', 'devices');
  await rm(path.join(devices, name), { recursive: true, force: true });
  await rm(path.join(devices, `${name}:1.0`), { recursive: true, force: true });
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  await Promise.all(Object.entries(files).map(([name, value]) => writeFile(path.join(dir, name), `${value}\n`)));
}
