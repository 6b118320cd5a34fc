import { findUsbDevices, parseUsbId, usbPresenceBackend, type UsbPresenceBackend } from '../../../../firmware-bridge/usb/usb-presence.js';
import type { ReaderObservation } from '../observation.js';
import type { ResolvedReaderConfig } from '../schema.js';
import type { ReaderMonitor } from './types.js';

/**
 * usb: the reader is driven by a vendor DLL over USB-HID, which Guardpost cannot talk to, so it checks presence only:
 * is a device with one of the configured VID:PIDs on the bus, and on which port. Reading sysfs costs a directory
 * listing and a few small files per run. Linux only for now (see UsbPresenceBackend).
 */
export class UsbReaderMonitor implements ReaderMonitor {
  private readonly backend: UsbPresenceBackend;
  private readonly ids;

  constructor(private readonly c: ResolvedReaderConfig) {
    this.backend = usbPresenceBackend({ sysfsRoot: c.usb.sysfsRoot });
    this.ids = c.usb.ids.map(parseUsbId);
  }

  async start(): Promise<void> {}

  async observe(): Promise<ReaderObservation> {
    const found = await findUsbDevices(this.backend, this.ids);
    const wanted = this.c.usb.ids.join(', ');
    if (found.length === 0) {
      return {
        presence: { kind: 'absent', detail: { zh: `USB 上没有读卡器（${wanted}）`, en: `no USB device ${wanted} is plugged in` } },
        cardInsertions: 0,
        evidence: { usbIds: wanted },
      };
    }
    const device = found[0]!;
    return {
      presence: { kind: 'present' },
      cardInsertions: 0,
      evidence: {
        usbIds: wanted,
        usbId: device.id,
        usbBus: device.bus,
        usbPort: device.port,
        usbProduct: device.product ?? null,
        matchingDevices: found.length,
      },
    };
  }

  async close(): Promise<void> {}
}
