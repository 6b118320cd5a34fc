import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder, type Rejection } from '../codec/frame-decoder.js';
import { stxBccProfile as p } from '../profiles/stx-bcc.js';
import type { ReaderProfile, RequestFrame } from '../profiles/types.js';
import { memoryPair, type MemoryPair } from '../transport/memory-pair.js';
import { ReaderClient } from './reader-client.js';
import { ReaderError } from './reader-error.js';

/** A hand-scripted reader on the far end: `answer` returns the bytes to send back (or nothing) for request n (1-based). */
function scriptedReader(port: Duplex, answer: (request: RequestFrame, n: number) => Buffer | undefined) {
  const requests: RequestFrame[] = [];
  const raw: Buffer[] = [];
  const decoder = new FrameDecoder(p.requestFraming, {
    onFrame(frame) {
      raw.push(frame.bytes);
      const request = p.parseRequest(frame.bytes);
      requests.push(request);
      const reply = answer(request, requests.length);
      if (reply) port.write(reply);
    },
  });
  port.on('data', (chunk: Buffer) => decoder.push(chunk));
  return { requests, raw };
}

const ok = (cmd: number, data: number[] | Buffer = []) => p.encodeResponse({ cmd, status: 0, data: Buffer.from(data) });

async function rejection(promise: Promise<unknown>): Promise<ReaderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReaderError);
  return error as ReaderError;
}

let pair: MemoryPair;
let client: ReaderClient;
const setup = (options: ConstructorParameters<typeof ReaderClient>[2] = {}, profile: ReaderProfile = p) => {
  pair = memoryPair();
  client = new ReaderClient(pair.a, profile, { timeoutMs: 60, retries: 2, ...options });
};
afterEach(async () => {
  await client?.close();
  pair?.unplug();
});

describe('ReaderClient round trips', () => {
  it('sends the exact request bytes and returns the decoded version', async () => {
    setup();
    const peer = scriptedReader(pair.b, (r) => ok(r.cmd, Buffer.from('DC-8.2')));
    const result = await client.version();
    expect(result).toMatchObject({ value: 'DC-8.2', attempts: 1 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(peer.raw).toEqual([Buffer.from([0x02, 0x00, 0x01, 0x31, 0x30, 0x03])]);
  });

  it('decodes status bits and sends beep durations in 10 ms units', async () => {
    setup();
    const peer = scriptedReader(pair.b, (r) => (r.cmd === 0x32 ? ok(0x32, [0x03]) : ok(r.cmd)));
    expect((await client.status()).value).toEqual({ cardPresent: true, cardPowered: true, hardwareFault: false, raw: 3 });
    await client.beep(300);
    expect(peer.requests[1]).toEqual({ cmd: 0x33, data: Buffer.from([30]) });
  });

  it('runs one exchange at a time: the second request goes out only after the first reply', async () => {
    setup();
    const order: string[] = [];
    scriptedReader(pair.b, (r) => {
      order.push(`request ${r.cmd.toString(16)}`);
      if (r.cmd === 0x31) {
        // A slow first reply: without queueing, the status request would overtake it.
        setTimeout(() => (order.push('reply 31'), pair.b.write(ok(0x31, Buffer.from('V1')))), 20);
        return undefined;
      }
      return ok(0x32, [0]);
    });
    const [v, s] = await Promise.all([client.version(), client.status()]);
    expect(v.value).toBe('V1');
    expect(s.value.cardPresent).toBe(false);
    expect(order).toEqual(['request 31', 'reply 31', 'request 32']);
  });
});

describe('ReaderClient timeouts and bounded retries', () => {
  it('retries after a timeout and succeeds on the second attempt', async () => {
    setup();
    const peer = scriptedReader(pair.b, (r, n) => (n === 1 ? undefined : ok(r.cmd, [0])));
    const result = await client.status();
    expect(result.attempts).toBe(2);
    expect(result.totalMs).toBeGreaterThanOrEqual(55);
    expect(peer.requests).toHaveLength(2);
    expect(client.stats()).toMatchObject({ requests: 1, attempts: 2, retries: 1, timeouts: 1, responses: 1 });
  });

  it('gives up after retries + 1 attempts with no_response, never sending more', async () => {
    setup({ timeoutMs: 40, retries: 2 });
    const peer = scriptedReader(pair.b, () => undefined);
    const started = performance.now();
    const error = await rejection(client.version());
    expect(error.code).toBe('no_response');
    expect(error.attempts).toBe(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    await sleep(60);
    expect(peer.requests).toHaveLength(3);
  });

  it('honours per-request timeout and retry overrides', async () => {
    setup();
    const peer = scriptedReader(pair.b, () => undefined);
    const error = await rejection(client.status({ timeoutMs: 10, retries: 0 }));
    expect(error.attempts).toBe(1);
    expect(peer.requests).toHaveLength(1);
  });

  it('reports bad_frame with each rejection by reason and byte offset when only corrupt replies come back', async () => {
    const seen: Rejection[] = [];
    setup({ retries: 1, onReject: (r) => seen.push(r) });
    scriptedReader(pair.b, (r) => p.corruptChecksum(ok(r.cmd, [0])));
    const error = await rejection(client.status());
    expect(error.code).toBe('bad_frame');
    expect(error.rejections).toEqual([
      { kind: 'reject', reason: 'bad_checksum', offset: 0, length: 8 },
      { kind: 'reject', reason: 'bad_checksum', offset: 8, length: 8 },
    ]);
    expect(error.message).toMatch(/bad_checksum at byte 8 \(8 bytes\)/);
    expect(seen).toHaveLength(2);
    expect(client.stats().decoder.rejected.bad_checksum.sequences).toBe(2);
  });

  it('tells line noise (bad_frame) from silence and from replies to other commands (no_response)', async () => {
    setup({ retries: 0 });
    scriptedReader(pair.b, (r) => (r.cmd === 0x31 ? Buffer.from([0xff, 0xfe]) : ok(0x34)));
    const noise = await rejection(client.version());
    expect(noise.code).toBe('bad_frame');
    expect(noise.rejections.map((r) => r.reason)).toEqual(['garbage']);
    expect((await rejection(client.status())).code).toBe('no_response');
    expect(client.stats().unexpectedFrames).toBe(1);
  });

  it('turns a reply cut short into truncated when the attempt times out', async () => {
    setup({ retries: 0 });
    scriptedReader(pair.b, (r) => ok(r.cmd, Buffer.from('VERSION')).subarray(0, 6));
    const error = await rejection(client.version());
    expect(error.code).toBe('bad_frame');
    expect(error.rejections.map((r) => [r.reason, r.offset, r.length])).toEqual([['truncated', 0, 6]]);
  });

  it('counts a late reply as unexpected instead of answering the next, different command with it', async () => {
    setup({ timeoutMs: 100, retries: 0 });
    scriptedReader(pair.b, (r) => {
      // The version reply comes 30 ms after the client gave up, while status is pending; status is answered in time.
      if (r.cmd === 0x31) setTimeout(() => pair.b.write(ok(0x31, Buffer.from('late'))), 130);
      else setTimeout(() => pair.b.write(ok(r.cmd, [1])), 40);
      return undefined;
    });
    expect((await rejection(client.version())).code).toBe('no_response');
    expect((await client.status()).value.cardPresent).toBe(true);
    expect(client.stats().unexpectedFrames).toBe(1);
  });
});

describe('ReaderClient reader-side errors', () => {
  it('resynchronises past garbage before the reply and counts it', async () => {
    setup();
    scriptedReader(pair.b, (r) => Buffer.concat([Buffer.from([0xff, 0x00, 0x55]), ok(r.cmd, [0x80])]));
    expect((await client.status()).value.hardwareFault).toBe(true);
    expect(client.stats().decoder.rejected.garbage).toEqual({ sequences: 1, bytes: 3 });
  });

  it('turns a non-zero status byte into error_status with the profile text', async () => {
    setup();
    scriptedReader(pair.b, (r) => p.encodeResponse({ cmd: r.cmd, status: 0x10, data: Buffer.alloc(0) }));
    const error = await rejection(client.selfTest());
    expect(error).toMatchObject({ code: 'error_status', status: 0x10, attempts: 1 });
    expect(error.message).toContain('reader hardware fault');
    expect(client.stats().errorStatus).toBe(1);
  });

  it('turns a well-framed but malformed reply into bad_reply', async () => {
    setup();
    scriptedReader(pair.b, (r) => ok(r.cmd, [1, 2]));
    expect((await rejection(client.status())).code).toBe('bad_reply');
    expect(client.stats().badReplies).toBe(1);
  });

  it('ignores a reply to another command and keeps waiting for its own', async () => {
    setup();
    scriptedReader(pair.b, (r) => Buffer.concat([ok(0x34), ok(r.cmd, Buffer.from('V9'))]));
    expect((await client.version()).value).toBe('V9');
    expect(client.stats().unexpectedFrames).toBe(1);
  });

  it('says unsupported for a command the profile lacks', async () => {
    const { beep: _beep, ...withoutBeep } = p.commands;
    setup({}, { ...p, commands: withoutBeep });
    expect((await rejection(client.beep(100))).code).toBe('unsupported');
  });
});

describe('ReaderClient and the port going away', () => {
  it('fails the pending request with port_closed at once, not after the timeout', async () => {
    setup({ timeoutMs: 5000 });
    scriptedReader(pair.b, () => undefined);
    const started = performance.now();
    const pending = client.version();
    setTimeout(() => pair.unplug(), 10);
    expect((await rejection(pending)).code).toBe('port_closed');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(client.isClosed).toBe(true);
    expect((await rejection(client.status())).code).toBe('port_closed');
  });

  it('cancels through an AbortSignal', async () => {
    setup({ timeoutMs: 5000 });
    scriptedReader(pair.b, () => undefined);
    const controller = new AbortController();
    const pending = client.version({ signal: controller.signal });
    controller.abort();
    expect((await rejection(pending)).code).toBe('aborted');
    expect((await rejection(client.version({ signal: AbortSignal.abort() }))).code).toBe('aborted');
  });
});
