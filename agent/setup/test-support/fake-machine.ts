import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { plugFakeUsb, type FakeUsbDevice } from '../../../firmware-bridge/usb/test-support/fake-sysfs.js';

/**
 * A fake /sys and /dev laid out as Linux does for serial ports: /sys/class/tty/<name>/device links into
 * /sys/devices, a USB-serial adapter's tty sits below its USB device (the directory with idVendor), the 8250
 * driver's placeholders have type 0, and /dev/serial/by-id links name the adapters stably.
 */
export class FakeMachine {
  readonly sys: string;
  readonly dev: string;

  constructor(root: string) {
    this.sys = path.join(root, 'sys');
    this.dev = path.join(root, 'dev');
    mkdirSync(path.join(this.sys, 'class', 'tty'), { recursive: true });
    mkdirSync(path.join(this.sys, 'bus', 'usb', 'devices'), { recursive: true });
    mkdirSync(path.join(this.dev, 'serial', 'by-id'), { recursive: true });
    // Virtual terminals have no device link.
    mkdirSync(path.join(this.sys, 'class', 'tty', 'tty1'));
  }

  usb(device: FakeUsbDevice): Promise<void> {
    return plugFakeUsb(this.sys, device);
  }

  /** A UART of the 8250 driver: type 0 is a placeholder with no hardware, 4 a 16550A. */
  uart(name: string, type: number): void {
    const real = path.join(this.sys, 'devices', 'platform', 'serial8250', 'tty', name);
    this.tty(name, real, 'serial8250');
    writeFileSync(path.join(this.sys, 'class', 'tty', name, 'type'), `${type}\n`);
  }

  /** A USB-serial adapter's port: its tty below the USB device, and a by-id link. */
  usbSerial(name: string, usb: { bus: string; idVendor: string; idProduct: string; product: string; driver: string; byId: string }): void {
    const usbDir = path.join(this.sys, 'devices', 'pci0000:00', `usb${usb.bus}`, `${usb.bus}-3`);
    mkdirSync(usbDir, { recursive: true });
    writeFileSync(path.join(usbDir, 'idVendor'), `${usb.idVendor}\n`);
    writeFileSync(path.join(usbDir, 'idProduct'), `${usb.idProduct}\n`);
    writeFileSync(path.join(usbDir, 'product'), `${usb.product}\n`);
    this.tty(name, path.join(usbDir, `${usb.bus}-3:1.0`, name), usb.driver);
    symlinkSync(`../../${name}`, path.join(this.dev, 'serial', 'by-id', usb.byId));
  }

  private tty(name: string, realDevice: string, driver: string): void {
    mkdirSync(realDevice, { recursive: true });
    const driverDir = path.join(this.sys, 'bus', 'drivers', driver);
    mkdirSync(driverDir, { recursive: true });
    symlinkSync(driverDir, path.join(realDevice, 'driver'));
    const entry = path.join(this.sys, 'class', 'tty', name);
    mkdirSync(entry);
    symlinkSync(realDevice, path.join(entry, 'device'));
  }
}
