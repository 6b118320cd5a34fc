import type { ReaderClient } from '../client/reader-client.js';
import { ReaderError } from '../client/reader-error.js';
import type { CommandSpec, ReaderProfile, ResponseFrame } from '../profiles/types.js';
import type { LineNoise, ObservedExchange } from './observed-exchange.js';
import { commandName, interpretReply } from './reply-meaning.js';

export interface HealthProbeOptions {
  /** Ask for the firmware version too (after a (re)connect, and now and then). */
  askVersion: boolean;
  timeoutMs: number;
  retries: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface HealthProbeResult {
  exchanges: ObservedExchange[];
  /** The port closed under the probe: the device went away. */
  portClosed: boolean;
}

/**
 * Guardpost's own health check of a serial reader: the status command, and the version when asked — nothing else.
 * Never a beep (people at the counter would hear it), never a command that touches the card.
 * Runs through ReaderClient (timeouts, bounded retries) and reports each exchange the same way the bridge reports
 * the settlement software's, so one set of rules grades both.
 */
export async function runHealthProbe(client: ReaderClient, profile: ReaderProfile, options: HealthProbeOptions): Promise<HealthProbeResult> {
  const now = options.now ?? (() => performance.now());
  const exchanges: ObservedExchange[] = [];
  const commands: CommandSpec<void, unknown>[] = [profile.commands.status, ...(options.askVersion ? [profile.commands.version] : [])];
  for (const spec of commands) {
    const before = rejected(client);
    const exchange = await exchangeOnce(client, profile, spec, options, now);
    if (exchange === 'port_closed') return { exchanges, portClosed: true };
    const after = rejected(client);
    exchange.noise = { sequences: after.sequences - before.sequences, bytes: after.bytes - before.bytes };
    exchanges.push(exchange);
    // A reader that does not answer the status request will not answer the version request either.
    if (exchange.outcome === 'timeout') break;
  }
  return { exchanges, portClosed: false };
}

async function exchangeOnce(
  client: ReaderClient,
  profile: ReaderProfile,
  spec: CommandSpec<void, unknown>,
  options: HealthProbeOptions,
  now: () => number,
): Promise<ObservedExchange | 'port_closed'> {
  const base = { source: 'probe' as const, command: commandName(profile, spec.code), noise: { sequences: 0, bytes: 0 } };
  let reply: ResponseFrame;
  let latencyMs: number;
  let retried: number;
  try {
    const exchange = await client.request({ cmd: spec.code, data: spec.encodeRequest(undefined) }, { timeoutMs: options.timeoutMs, retries: options.retries, ...(options.signal ? { signal: options.signal } : {}) });
    reply = exchange.value;
    latencyMs = exchange.latencyMs;
    retried = exchange.attempts - 1;
  } catch (error) {
    if (!(error instanceof ReaderError)) throw error;
    if (error.code === 'port_closed' || error.code === 'write_failed' || error.code === 'aborted') return 'port_closed';
    // no_response and bad_frame: nothing usable came back.
    return { ...base, outcome: 'timeout', latencyMs: null, failed: true, retries: Math.max(0, error.attempts - 1), reply: null, at: now() };
  }
  const meaning = interpretReply(profile, reply);
  const outcome = !meaning.statusOk ? 'error_status' : meaning.badReply ? 'bad_reply' : 'ok';
  // A reply that needed a repeat (the first was lost, corrupted or too slow) is the link failing, even though it came.
  return { ...base, outcome, latencyMs, failed: retried > 0, retries: retried, reply: meaning, at: now() };
}

function rejected(client: ReaderClient): LineNoise {
  const noise = { sequences: 0, bytes: 0 };
  for (const r of Object.values(client.stats().decoder.rejected)) {
    noise.sequences += r.sequences;
    noise.bytes += r.bytes;
  }
  return noise;
}
