import { afterEach, describe, expect, it } from 'vitest';
import { ReaderClient } from '../client/reader-client.js';
import { stxBccProfile as p } from '../profiles/stx-bcc.js';
import { memoryDevicePort } from './emulator-port.js';
import { ControlCommandError, runControlCommand } from './emulator-control.js';
import { ReaderEmulator } from './reader-emulator.js';

let emulator: ReaderEmulator;
afterEach(async () => {
  await emulator?.unplug();
});

async function start() {
  const port = memoryDevicePort();
  emulator = new ReaderEmulator({ profile: p, port });
  await emulator.plug();
  return { port, client: () => new ReaderClient(port.host(), p, { timeoutMs: 60, retries: 0 }) };
}

describe('emulator control commands', () => {
  it('drive the emulator the way the reader check will see it', async () => {
    const { client } = await start();
    const c = client();
    expect(await runControlCommand(emulator, 'fw D8-V3.20')).toBe('firmware D8-V3.20');
    expect((await c.version()).value).toBe('D8-V3.20');
    await runControlCommand(emulator, 'card in 3b6800000073c84013009000');
    await runControlCommand(emulator, 'hw on');
    expect((await c.status()).value).toMatchObject({ cardPresent: true, hardwareFault: true });
    expect(emulator.snapshot().card?.atr).toBe('3b6800000073c84013009000');
    await runControlCommand(emulator, '  card   out ');
    await runControlCommand(emulator, 'hw off');
    expect((await c.status()).value).toMatchObject({ cardPresent: false, hardwareFault: false });
    await runControlCommand(emulator, 'noresponse 1');
    await expect(c.status()).rejects.toMatchObject({ code: 'no_response' });
    expect((await c.status()).attempts).toBe(1);
    await runControlCommand(emulator, 'badbcc on');
    await runControlCommand(emulator, 'garbage 2');
    await runControlCommand(emulator, 'delay 5');
    expect(emulator.snapshot().faults).toMatchObject({ badChecksum: true, garbage: 2, delayMs: 5 });
    expect(await runControlCommand(emulator, 'status')).toContain('link faults delay=5ms garbage=2 badbcc=true');
    await runControlCommand(emulator, 'clear');
    expect((await c.version()).value).toBe('D8-V3.20');
  });

  it('unplug and replug', async () => {
    const { port } = await start();
    expect(await runControlCommand(emulator, 'unplug')).toBe('unplugged');
    expect(emulator.plugged).toBe(false);
    expect(await runControlCommand(emulator, 'replug')).toBe('plugged in');
    const c = new ReaderClient(port.host(), p, { timeoutMs: 60 });
    expect((await c.status()).attempts).toBe(1);
  });

  it('rejects bad commands with a message saying what was expected; blank lines do nothing', async () => {
    await start();
    const bad = async (line: string) => runControlCommand(emulator, line).then(() => null, (e: unknown) => e);
    expect(await bad('frobnicate')).toEqual(new ControlCommandError('unknown command "frobnicate" (help lists them)'));
    expect(String(await bad('noresponse maybe'))).toContain('expected on, off or a count');
    expect(String(await bad('delay -1'))).toContain('expected milliseconds');
    expect(String(await bad('card in zz'))).toContain('ATR must be hex');
    expect(String(await bad('card in 3b'))).toContain('2 to 33 bytes');
    expect(String(await bad('fw 版本'))).toContain('printable ASCII');
    expect(String(await bad('hw maybe'))).toContain('hw: expected on or off');
    expect(await runControlCommand(emulator, '   ')).toBe('');
    expect(await runControlCommand(emulator, 'help')).toContain('noresponse on|off|N');
  });
});
