import { linkDirectoryProblem } from '../../../firmware-bridge/bridge/link-directory.js';
import { READER_PROFILES } from '../../../firmware-bridge/profiles/index.js';
import { Type, type Static } from '../../core/schema/type.js';

export const READER_MODES = ['serial-probe', 'serial-bridge', 'pcsc', 'usb'] as const;
export type ReaderMode = (typeof READER_MODES)[number];

export const READER_DEFAULTS = {
  name: '',
  profile: 'stx-bcc',
  port: '',
  serial: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, inUseCheck: 'processes' },
  probeIntervalSeconds: 60,
  responseTimeoutMs: 1000,
  retries: 1,
  noResponseAfter: 3,
  notObservedAfterSeconds: 3600,
  allowedFirmware: [] as string[],
  linkErrors: { windowSeconds: 300, maxErrorRate: 0.2, minExchanges: 5 },
  bridge: { path: '/run/guardpost/reader0', idleProbeSeconds: 30, perm: '0660', group: '' },
  pcsc: { readerName: '', retrySeconds: 1 },
  usb: { ids: [] as string[], sysfsRoot: '/sys' },
} as const;

const D = READER_DEFAULTS;

const SerialSchema = Type.Object(
  {
    baudRate: Type.Optional(Type.Integer({ minimum: 300, maximum: 921_600, default: D.serial.baudRate, description: 'line speed; the profile default is 9600' })),
    dataBits: Type.Optional(Type.Union([Type.Literal(7), Type.Literal(8)], { default: D.serial.dataBits, description: 'data bits per character' })),
    parity: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')], { default: D.serial.parity, description: 'parity' }),
    ),
    stopBits: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)], { default: D.serial.stopBits, description: 'stop bits' })),
    inUseCheck: Type.Optional(
      Type.Union([Type.Literal('processes'), Type.Literal('lock')], {
        default: D.serial.inUseCheck,
        description:
          'how to tell the settlement software holds the port before opening it: "processes" looks for other programs with the port open (Linux /proc, touches nothing), then takes the lock; "lock" only tries the lock (needed on socat ptys, where socat itself keeps the port open)',
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: 'serial line settings (serial-probe, serial-bridge)' },
);

const LinkErrorsSchema = Type.Object(
  {
    windowSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400, default: D.linkErrors.windowSeconds, description: 'the error rate is taken over this sliding window' })),
    maxErrorRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, default: D.linkErrors.maxErrorRate, description: 'READER_LINK_ERRORS when more than this share of exchanges in the window timed out or carried corrupted bytes' }),
    ),
    minExchanges: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: D.linkErrors.minExchanges, description: 'exchanges needed in the window before a rate is judged' })),
  },
  { additionalProperties: false, default: {}, description: 'READER_LINK_ERRORS thresholds (serial modes)' },
);

const BridgeSchema = Type.Object(
  {
    path: Type.Optional(
      Type.String({
        pattern: '^/[^,]+$',
        default: D.bridge.path,
        description: 'the pseudo-terminal the settlement software is pointed at instead of the real port (a stable symlink); an absolute path without commas',
      }),
    ),
    idleProbeSeconds: Type.Optional(
      Type.Number({ minimum: 0, maximum: 3600, default: D.bridge.idleProbeSeconds, description: 'Guardpost asks the reader for its status after the line has been quiet this long; 0: never (observe only)' }),
    ),
    perm: Type.Optional(Type.String({ pattern: '^0?[0-7]{3}$', default: D.bridge.perm, description: 'permissions of the pty device, octal' })),
    group: Type.Optional(Type.String({ maxLength: 64, default: D.bridge.group, description: 'group owning the pty device (e.g. "dialout") so the settlement software can open it; empty: root\'s' })),
  },
  { additionalProperties: false, default: {}, description: 'bridge settings (serial-bridge)' },
);

const PcscSchema = Type.Object(
  {
    readerName: Type.Optional(
      Type.String({ maxLength: 200, default: D.pcsc.readerName, description: 'part of the PC/SC reader name to watch, case-insensitive (e.g. "Decard", "Virtual PCD 00 00"); empty: the first reader' }),
    ),
    retrySeconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 60, default: D.pcsc.retrySeconds, description: 'how often to try reaching the PC/SC service again while it is down' })),
  },
  { additionalProperties: false, default: {}, description: 'PC/SC settings (pcsc)' },
);

const UsbSchema = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.String({ pattern: '^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$' }), {
        maxItems: 16,
        default: [],
        description: 'USB VID:PID pairs in hex that count as this reader, e.g. ["257b:3031"] (Decard); any one present is enough',
      }),
    ),
    sysfsRoot: Type.Optional(Type.String({ minLength: 1, default: D.usb.sysfsRoot, description: 'where sysfs is mounted (Linux); tests use a fake tree' })),
  },
  { additionalProperties: false, default: {}, description: 'USB presence settings (usb)' },
);

export const readerSchema = Type.Object(
  {
    mode: Type.Union(
      [Type.Literal('serial-probe'), Type.Literal('serial-bridge'), Type.Literal('pcsc'), Type.Literal('usb')],
      {
        description:
          'how the reader is watched: "serial-probe" opens the port now and then; "serial-bridge" sits between the settlement software and the port; "pcsc" follows a PC/SC (CCID) reader; "usb" only checks the USB device is plugged in (vendor-DLL readers)',
      },
    ),
    name: Type.Optional(Type.String({ maxLength: 100, default: D.name, description: 'what people at the site call it, e.g. "1号窗口读卡器"; the fault subject; empty: the port, reader name or USB id' })),
    profile: Type.Optional(Type.String({ minLength: 1, default: D.profile, description: 'serial protocol profile (serial modes)' })),
    port: Type.Optional(
      Type.String({ default: D.port, description: 'the serial device (serial modes), e.g. "/dev/ttyUSB0" or a stable "/dev/serial/by-id/..." path' }),
    ),
    serial: Type.Optional(SerialSchema),
    probeIntervalSeconds: Type.Optional(
      Type.Number({ minimum: 5, maximum: 86_400, default: D.probeIntervalSeconds, description: 'serial-probe: how often to open the port and ask for status and version (presence is checked every run)' }),
    ),
    responseTimeoutMs: Type.Optional(
      Type.Integer({ minimum: 50, maximum: 30_000, default: D.responseTimeoutMs, description: 'a reply later than this is a timeout (own probes, and the settlement software\'s exchanges seen by the bridge)' }),
    ),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5, default: D.retries, description: 'own probe: attempts after the first before "no response"' })),
    noResponseAfter: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, default: D.noResponseAfter, description: 'serial-bridge: the settlement software\'s requests unanswered in a row before READER_NO_RESPONSE, between probes' }),
    ),
    notObservedAfterSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 604_800,
        default: D.notObservedAfterSeconds,
        description:
          'serial modes: READER_NOT_OBSERVED (minor) once the reader has not been observed this long, e.g. because the settlement software holds its port (bridge mode is how to watch such a port); 0: never',
      }),
    ),
    allowedFirmware: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32, default: [], description: 'READER_FIRMWARE_MISMATCH when the reported version is not one of these; empty: any version' }),
    ),
    linkErrors: Type.Optional(LinkErrorsSchema),
    bridge: Type.Optional(BridgeSchema),
    pcsc: Type.Optional(PcscSchema),
    usb: Type.Optional(UsbSchema),
  },
  { additionalProperties: false },
);

export type ReaderConfig = Static<typeof readerSchema>;

export interface ResolvedReaderConfig {
  mode: ReaderMode;
  name: string;
  profile: string;
  port: string;
  serial: { baudRate: number; dataBits: 7 | 8; parity: 'none' | 'even' | 'odd'; stopBits: 1 | 2; inUseCheck: 'processes' | 'lock' };
  probeIntervalSeconds: number;
  responseTimeoutMs: number;
  retries: number;
  noResponseAfter: number;
  notObservedAfterSeconds: number;
  allowedFirmware: string[];
  linkErrors: { windowSeconds: number; maxErrorRate: number; minExchanges: number };
  bridge: { path: string; idleProbeSeconds: number; perm: string; group: string };
  pcsc: { readerName: string; retrySeconds: number };
  usb: { ids: string[]; sysfsRoot: string };
}

/** Every setting filled, whether or not the config went through the schema's defaults. */
export function resolveReaderConfig(c: ReaderConfig): ResolvedReaderConfig {
  return {
    mode: c.mode as ReaderMode,
    name: c.name ?? D.name,
    profile: c.profile ?? D.profile,
    port: c.port ?? D.port,
    serial: { ...D.serial, ...defined(c.serial) } as ResolvedReaderConfig['serial'],
    probeIntervalSeconds: c.probeIntervalSeconds ?? D.probeIntervalSeconds,
    responseTimeoutMs: c.responseTimeoutMs ?? D.responseTimeoutMs,
    retries: c.retries ?? D.retries,
    noResponseAfter: c.noResponseAfter ?? D.noResponseAfter,
    notObservedAfterSeconds: c.notObservedAfterSeconds ?? D.notObservedAfterSeconds,
    allowedFirmware: [...(c.allowedFirmware ?? D.allowedFirmware)],
    linkErrors: { ...D.linkErrors, ...defined(c.linkErrors) },
    bridge: { ...D.bridge, ...defined(c.bridge) },
    pcsc: { ...D.pcsc, ...defined(c.pcsc) },
    usb: { ids: [...(c.usb?.ids ?? D.usb.ids)], sysfsRoot: c.usb?.sysfsRoot ?? D.usb.sysfsRoot },
  };
}

export interface SettingProblem {
  /** A JSON pointer within the check entry. */
  path: string;
  message: string;
}

/**
 * What each mode needs beyond the schema (which cannot say "required when mode is ..."). Config-load errors through
 * the plugin's `validate` (exit 78 with path, line and column); the probe checks them again when it is created.
 */
export function modeProblems(c: ResolvedReaderConfig): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const serial = c.mode === 'serial-probe' || c.mode === 'serial-bridge';
  if (serial && !Object.hasOwn(READER_PROFILES, c.profile)) {
    problems.push({ path: '/profile', message: `unknown reader profile "${c.profile}"; known: ${Object.keys(READER_PROFILES).join(', ')}` });
  }
  if (serial && !c.port) {
    problems.push({ path: '/port', message: `required when mode is "${c.mode}" (e.g. "/dev/ttyUSB0")` });
  }
  if (c.mode === 'usb' && c.usb.ids.length === 0) {
    problems.push({ path: '/usb/ids', message: 'needs at least one VID:PID when mode is "usb" (e.g. ["257b:3031"])' });
  }
  if (c.mode === 'serial-bridge' && c.port && c.port === c.bridge.path) {
    problems.push({ path: '/bridge/path', message: 'must differ from "port": the bridge sits between the two' });
  }
  return problems;
}

/**
 * What the host must offer, checked at config load only (a probe created later retries instead of failing for good):
 * the bridge's pty link goes into a directory that exists, or into the bridge's own runtime directory.
 */
export function hostProblems(c: ResolvedReaderConfig): SettingProblem[] {
  if (c.mode !== 'serial-bridge') return [];
  const problem = linkDirectoryProblem(c.bridge.path);
  return problem ? [{ path: '/bridge/path', message: problem }] : [];
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
