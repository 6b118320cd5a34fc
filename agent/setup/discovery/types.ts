import type { UsbDevice } from '../../../firmware-bridge/usb/usb-presence.js';

/** A serial port the OS has a driver bound to (a real UART, a USB-serial adapter, a CDC-ACM device). */
export interface SerialPortInfo {
  /** Device node, e.g. /dev/ttyUSB0. */
  path: string;
  /** A name that survives replugging and reboots (/dev/serial/by-id/…), preferred in the config; absent when none. */
  stablePath?: string;
  /** The USB device it belongs to (VID:PID), for USB-serial adapters. */
  usbId?: string;
  product?: string;
  /** The kernel driver bound to it (ftdi_sio, ch341, pl2303, cdc_acm, serial8250…). */
  driver?: string;
}

/** A PKCS#11 module file present at a vendor's install location. */
export interface ModuleFile {
  path: string;
  vendor: { zh: string; en: string };
  software: boolean;
}

/**
 * What the OS can list without opening a device. One backend per OS so Windows (SetupAPI, the registry's COM
 * ports, System32 DLLs) can be added beside Linux's sysfs reader; nothing here opens a port or loads a module.
 */
export interface DeviceDiscovery {
  readonly platform: string;
  serialPorts(): Promise<SerialPortInfo[]>;
  usbDevices(): Promise<UsbDevice[]>;
  pkcs11Modules(): Promise<ModuleFile[]>;
}
