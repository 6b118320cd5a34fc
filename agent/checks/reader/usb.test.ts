import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plugFakeUsb, unplugFakeUsb } from '../../../firmware-bridge/usb/test-support/fake-sysfs.js';
import { checkConfigWithDefaults } from '../../core/config/check-config.js';
import { neverAborted, testContext } from '../shared/testing.js';
import { plugin } from './index.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'gp-reader-usb-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('reader check, usb mode, on a fake sysfs tree', () => {
  it.runIf(process.platform === 'linux')('reports the reader present with its bus and port, missing when unplugged, and back in another socket', async () => {
    const cfg = checkConfigWithDefaults(plugin, { mode: 'usb', name: '德卡读卡器', usb: { ids: ['257b:3031', '163c:0a28'], sysfsRoot: root } });
    const probe = plugin.createProbe(cfg, testContext());
    await plugFakeUsb(root, { name: '1-1.2', idVendor: '257b', idProduct: '3031', product: 'Decard Reader' });
    expect(await probe.run(neverAborted)).toMatchObject([
      { status: 'ok', subject: '德卡读卡器', evidence: { present: true, usbId: '257b:3031', usbBus: 1, usbPort: '1-1.2', usbProduct: 'Decard Reader', matchingDevices: 1 } },
    ]);
    await unplugFakeUsb(root, '1-1.2');
    const [gone] = await probe.run(neverAborted);
    expect(gone).toMatchObject({ status: 'fail', reason: 'not_found', evidence: { present: false, usbIds: '257b:3031, 163c:0a28' } });
    expect(gone!.message.en).toBe('no USB device 257b:3031, 163c:0a28 is plugged in');
    expect(plugin.rules(gone!, cfg)).toEqual({ code: 'READER_NOT_FOUND', severity: 'critical' });
    await plugFakeUsb(root, { name: '2-4', idVendor: '163c', idProduct: '0a28' });
    expect(await probe.run(neverAborted)).toMatchObject([{ status: 'ok', evidence: { usbId: '163c:0a28', usbPort: '2-4' } }]);
    await probe.close?.();
  });

  it('says so when sysfs cannot be read at the configured root', async () => {
    const probe = plugin.createProbe(checkConfigWithDefaults(plugin, { mode: 'usb', usb: { ids: ['257b:3031'], sysfsRoot: path.join(root, 'nope') } }), testContext());
    await expect(probe.run(neverAborted)).rejects.toThrow(/cannot read USB devices under .*nope/);
  });
});
