import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Detection } from './detect.js';
import { linuxDiscovery } from './discovery/linux-discovery.js';
import { proposeChecks, stablePcscName } from './proposal.js';
import { FakeMachine } from './test-support/fake-machine.js';
import type { ScannedToken } from './token-scan.js';

const flags = (over: Partial<ScannedToken['flags']> = {}): ScannedToken['flags'] => ({
  initialized: true,
  userPinInitialized: true,
  pinCountLow: false,
  pinFinalTry: false,
  pinLocked: false,
  pinToBeChanged: false,
  ...over,
});

describe('Linux device discovery (fake sysfs)', () => {
  it('lists real serial ports with their stable names and USB ids, and leaves out 8250 placeholders and virtual terminals', async () => {
    const m = new FakeMachine(mkdtempSync(path.join(tmpdir(), 'gp-setup-')));
    m.uart('ttyS0', 4);
    m.uart('ttyS1', 0);
    m.usbSerial('ttyUSB0', { bus: '1', idVendor: '1a86', idProduct: '7523', product: 'USB Serial', driver: 'ch341', byId: 'usb-1a86_USB_Serial-if00-port0' });
    const ports = await linuxDiscovery({ sysfsRoot: m.sys, devRoot: m.dev, modules: [] }).serialPorts();
    expect(ports).toEqual([
      { path: path.join(m.dev, 'ttyS0'), driver: 'serial8250' },
      { path: path.join(m.dev, 'ttyUSB0'), stablePath: path.join(m.dev, 'serial/by-id/usb-1a86_USB_Serial-if00-port0'), usbId: '1a86:7523', product: 'USB Serial', driver: 'ch341' },
    ]);
  });

  it('finds PKCS#11 modules only where they are, once per file', async () => {
    const found = await linuxDiscovery({ modules: [{ name: { zh: '软', en: 'soft' }, paths: ['/nonexistent/libx.so', '/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/softhsm/../softhsm/libsofthsm2.so'], software: true }] }).pkcs11Modules();
    expect(found).toEqual([{ path: '/usr/lib/softhsm/libsofthsm2.so', vendor: { zh: '软', en: 'soft' }, software: true }]);
  });
});

describe('what the wizard proposes', () => {
  const base: Detection = { serialPorts: [], usbReaders: [], usbKeys: [], pcsc: null, modules: [] };
  const usb = (id: string, port: string) => ({ vendorId: parseInt(id.slice(0, 4), 16), productId: parseInt(id.slice(5), 16), id, bus: 1, devpath: port.slice(2), port });

  it('readers by PC/SC name without slot numbers, USB readers by id; serial ports only when named', () => {
    const found: Detection = {
      ...base,
      pcsc: { service: 'up', error: null, readers: [{ name: 'Decard T10 00 00', cardPresent: false }] },
      usbReaders: [{ device: usb('257b:3031', '1-2'), known: { id: '257b:3031', name: { zh: '德卡社保卡读卡器', en: 'Decard' } } }],
      serialPorts: [{ path: '/dev/ttyUSB0', stablePath: '/dev/serial/by-id/x' }, { path: '/dev/ttyS0' }],
    };
    const { checks } = proposeChecks(found, { serialPorts: ['/dev/ttyUSB0'] });
    expect(checks.map((c) => [c.id, c.byDefault])).toEqual([
      ['reader-pcsc1', true],
      ['reader-usb1', true],
      ['reader-serial1', true],
      ['reader-serial2', false],
    ]);
    expect(checks[0]!.config).toEqual({ type: 'reader', mode: 'pcsc', name: 'Decard T10 00 00', pcsc: { readerName: 'Decard T10' } });
    expect(checks[1]!.config).toMatchObject({ mode: 'usb', usb: { ids: ['257b:3031'] } });
    expect(checks[2]!.config).toMatchObject({ mode: 'serial-probe', port: '/dev/serial/by-id/x' });
    expect(stablePcscName('Virtual PCD 00 01')).toBe('Virtual PCD');
  });

  it('a token check per initialised token, pinned by label and serial; notes for a locked PIN, a broken module and a key without its driver', () => {
    const found: Detection = {
      ...base,
      usbKeys: [{ device: usb('055c:db08', '1-4'), known: { id: '055c:db08', name: { zh: '龙脉 GM3000 USBKey', en: 'Longmai GM3000 USBKey' }, modules: ['libgm3000_pkcs11.so'] } }],
      modules: [
        {
          path: '/usr/lib/libcastle.so.1.0.0',
          vendor: { zh: '飞天', en: 'Feitian' },
          software: false,
          scan: { ok: true, tokens: [{ label: 'GDCA', serial: '0001', manufacturer: 'FT', model: 'ePass2003', flags: flags({ pinLocked: true }) }, { label: '', serial: '', manufacturer: '', model: '', flags: flags({ initialized: false }) }] },
        },
        { path: '/usr/lib/libwdpkcs.so', vendor: { zh: '握奇', en: 'Watchdata' }, software: false, scan: { ok: false, error: 'wrong ELF class: ELFCLASS32' } },
      ],
    };
    const { checks, notes } = proposeChecks(found, { moduleEnv: { SOFTHSM2_CONF: '/x.conf' } });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ id: 'usbkey', config: { type: 'token', tokens: [{ module: '/usr/lib/libcastle.so.1.0.0', label: 'GDCA', serial: '0001', env: [{ name: 'SOFTHSM2_CONF', value: '/x.conf' }] }] } });
    expect(notes.map((n) => n.en)).toEqual([
      'token "GDCA" has its PIN locked: ask the CA to unlock it',
      'PKCS#11 module /usr/lib/libwdpkcs.so cannot be used: wrong ELF class: ELFCLASS32',
      "Longmai GM3000 USBKey (055c:db08) is plugged in but its PKCS#11 driver (libgm3000_pkcs11.so) was not found: install the CA's driver package, then run guardpost init again",
    ]);
  });
});
