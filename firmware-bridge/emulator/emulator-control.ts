import type { FaultSwitch } from './emulator-faults.js';
import type { ReaderEmulator } from './reader-emulator.js';

/*
 * A line protocol to drive a running emulator by hand: typed on the `guardpost emulate-reader` terminal, or written
 * into its control FIFO (`echo unplug > control`). One command per line; the answer is one line of text.
 */

export const CONTROL_HELP = `commands (one per line):
  unplug | replug          pull the reader out / plug it back in
  noresponse on|off|N      ignore requests (N: only the next N)
  delay MS                 answer MS milliseconds late (0: on time)
  garbage on|off|N         send noise bytes before replies
  badbcc on|off|N          corrupt the checksum of replies
  card in [ATRHEX] | card out
  hw on|off                hardware-fault flag (status bit 7, self-test fails)
  fw VERSION               firmware version the reader reports
  clear                    all link faults off
  status                   show the emulator's state
  help`;

export class ControlCommandError extends Error {
  override readonly name = 'ControlCommandError';
}

function faultSwitch(word: string | undefined, command: string): FaultSwitch {
  if (word === 'on') return true;
  if (word === 'off') return false;
  if (word !== undefined && /^\d+$/.test(word)) return Number(word);
  throw new ControlCommandError(`${command}: expected on, off or a count, got "${word ?? ''}"`);
}

/** Runs one command line against the emulator; resolves with what to tell the user. Throws ControlCommandError. */
export async function runControlCommand(emulator: ReaderEmulator, line: string): Promise<string> {
  const [command, ...args] = line.trim().split(/\s+/);
  switch (command?.toLowerCase()) {
    case undefined:
    case '':
      return '';
    case 'unplug':
      await emulator.unplug();
      return 'unplugged';
    case 'replug':
    case 'plug':
      await emulator.replug();
      return 'plugged in';
    case 'noresponse':
      emulator.injectFaults({ noResponse: faultSwitch(args[0], 'noresponse') });
      return `noresponse ${args[0]}`;
    case 'garbage':
      emulator.injectFaults({ garbage: faultSwitch(args[0], 'garbage') });
      return `garbage ${args[0]}`;
    case 'badbcc':
      emulator.injectFaults({ badChecksum: faultSwitch(args[0], 'badbcc') });
      return `badbcc ${args[0]}`;
    case 'delay': {
      const ms = Number(args[0]);
      if (!(args[0] !== undefined && Number.isFinite(ms) && ms >= 0)) throw new ControlCommandError(`delay: expected milliseconds, got "${args[0] ?? ''}"`);
      emulator.injectFaults({ delayMs: ms });
      return `delay ${ms} ms`;
    }
    case 'card':
      if (args[0] === 'in') {
        const atr = args[1];
        if (atr !== undefined && !/^([0-9a-f]{2})+$/i.test(atr)) throw new ControlCommandError(`card in: ATR must be hex bytes, got "${atr}"`);
        try {
          emulator.insertCard(atr ? { atr: Buffer.from(atr, 'hex') } : {});
        } catch (error) {
          throw new ControlCommandError(`card in: ${(error as Error).message}`);
        }
        return 'card inserted';
      }
      if (args[0] === 'out') {
        emulator.removeCard();
        return 'card removed';
      }
      throw new ControlCommandError('card: expected "card in [ATRHEX]" or "card out"');
    case 'hw':
      if (args[0] !== 'on' && args[0] !== 'off') throw new ControlCommandError('hw: expected on or off');
      emulator.setHardwareFault(args[0] === 'on');
      return `hardware fault ${args[0]}`;
    case 'fw':
      if (!args[0]) throw new ControlCommandError('fw: expected a version, e.g. "fw D8-V3.20"');
      try {
        emulator.setFirmwareVersion(args.join(' '));
      } catch (error) {
        throw new ControlCommandError(`fw: ${(error as Error).message}`);
      }
      return `firmware ${args.join(' ')}`;
    case 'clear':
      emulator.clearFaults();
      return 'link faults cleared';
    case 'status':
      return describeEmulator(emulator);
    case 'help':
      return CONTROL_HELP;
    default:
      throw new ControlCommandError(`unknown command "${command}" (help lists them)`);
  }
}

export function describeEmulator(emulator: ReaderEmulator): string {
  const s = emulator.snapshot();
  const f = s.faults;
  const faults = [
    f.noResponse !== false && f.noResponse !== 0 ? `noresponse=${f.noResponse}` : '',
    f.delayMs > 0 ? `delay=${f.delayMs}ms` : '',
    f.garbage !== false && f.garbage !== 0 ? `garbage=${f.garbage}` : '',
    f.badChecksum !== false && f.badChecksum !== 0 ? `badbcc=${f.badChecksum}` : '',
  ].filter(Boolean);
  return [
    `${s.plugged ? 'plugged in' : 'unplugged'}, firmware ${s.firmwareVersion}, hardware fault ${s.hardwareFault ? 'on' : 'off'}`,
    `card ${s.card ? `in (ATR ${s.card.atr})` : 'out'}, link faults ${faults.length ? faults.join(' ') : 'none'}`,
    `requests ${s.counters.requests}, replies ${s.counters.replies}, dropped ${s.counters.dropped}, unknown commands ${s.counters.unknownCommands}`,
  ].join('\n');
}
