import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plugFakeUsb, unplugFakeUsb } from './test-support/fake-sysfs.js';
import { findUsbDevices, formatUsbId, linuxSysfsUsb, parseUsbId, usbPresenceBackend, UsbUnsupportedError } from './usb-presence.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'gp-sysfs-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('USB ids', () => {
  it('parses and formats VID:PID in hex', () => {
    expect(parseUsbId('257b:3031')).toEqual({ vendorId: 0x257b, productId: 0x3031 });
    expect(parseUsbId(' 163C:0A28 ')).toEqual({ vendorId: 0x163c, productId: 0x0a28 });
    expect(formatUsbId({ vendorId: 0x96e, productId: 0x309 })).toBe('096e:0309');
  });

  it('rejects anything else, naming the value', () => {
    for (const bad of ['257b-3031', '9595,12337', '257b:303', 'zzzz:3031', '']) expect(() => parseUsbId(bad)).toThrow(/is not a USB id/);
  });
});

describe('Linux sysfs backend on a fake tree', () => {
  it('finds a Decard reader by VID:PID and says which bus and port it is on; interfaces and hubs are not devices', async () => {
    await plugFakeUsb(root, { name: '1-1.2', idVendor: '257b', idProduct: '3031', product: 'Decard Reader', manufacturer: 'Decard' });
    await plugFakeUsb(root, { name: '2-3', idVendor: '163c', idProduct: '0a28' });
    const backend = linuxSysfsUsb(root);
    const all = await backend.list();
    expect(all.map((d) => d.port)).toEqual(['1-1.2', '2-3', 'usb1', 'usb2']);
    const found = await findUsbDevices(backend, [parseUsbId('257b:3031')]);
    expect(found).toEqual([
      { vendorId: 0x257b, productId: 0x3031, id: '257b:3031', bus: 1, devpath: '1.2', port: '1-1.2', product: 'Decard Reader', manufacturer: 'Decard' },
    ]);
  });

  it('sees an unplug and a replug into another socket', async () => {
    const backend = linuxSysfsUsb(root);
    const ids = [parseUsbId('257b:3031')];
    await plugFakeUsb(root, { name: '1-1', idVendor: '257b', idProduct: '3031' });
    expect((await findUsbDevices(backend, ids)).map((d) => d.port)).toEqual(['1-1']);
    await unplugFakeUsb(root, '1-1');
    expect(await findUsbDevices(backend, ids)).toEqual([]);
    await plugFakeUsb(root, { name: '1-4', idVendor: '257B', idProduct: '3031' });
    expect((await findUsbDevices(backend, ids)).map((d) => d.port)).toEqual(['1-4']);
  });

  it('treats a machine without a USB bus as no devices, and a wrong sysfs root as an error naming it', async () => {
    await plugFakeUsb(root, { name: '1-1', idVendor: '257b', idProduct: '3031' });
    await rm(path.join(root, 'bus', 'usb'), { recursive: true });
    expect(await linuxSysfsUsb(root).list()).toEqual([]);
    await expect(linuxSysfsUsb(path.join(root, 'nope')).list()).rejects.toThrow(/cannot read USB devices under .*nope/);
  });
});

describe('backend choice', () => {
  it('uses sysfs on Linux and says plainly that Windows is not supported yet', () => {
    expect(usbPresenceBackend({ platform: 'linux', sysfsRoot: root }).platform).toBe('linux');
    expect(() => usbPresenceBackend({ platform: 'win32' })).toThrow(UsbUnsupportedError);
    expect(() => usbPresenceBackend({ platform: 'win32' })).toThrow(/not supported on win32/);
  });
});
