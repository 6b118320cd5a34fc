/**
 * The measuring TCP client of bench/assist.bench.ts: the same code whichever way it reaches the target process
 * (bench/support/assist-target-process.ts) — directly, through a socat relay, or through `guardpost desk-cli forward`
 * (engineer → desk → agent → target). Every connection waits for the target's "HELLO\n" before a clock starts, so
 * what is timed is the transfer, not the set-up of the path.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

const HELLO = 'HELLO\n';
const CHUNK = Buffer.alloc(64 * 1024, 'guardpost-bench/');

/** A connection to `port` on loopback, once the target behind it greeted (the whole path is up). */
export async function connectReady(port: number, timeoutMs = 15_000): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port, noDelay: true });
  s.on('error', () => undefined);
  const timer = setTimeout(() => s.destroy(new Error(`no HELLO from 127.0.0.1:${port} within ${timeoutMs} ms`)), timeoutMs);
  try {
    let got: Buffer = Buffer.alloc(0);
    while (got.length < HELLO.length) {
      const [chunk] = (await Promise.race([once(s, 'data'), once(s, 'close').then(() => [undefined])])) as [Buffer | undefined];
      if (!chunk) throw new Error(`127.0.0.1:${port} closed before its HELLO`);
      got = Buffer.concat([got, chunk]);
    }
    if (got.toString() !== HELLO) throw new Error(`127.0.0.1:${port} greeted with ${JSON.stringify(got.toString().slice(0, 40))}`);
    s.pause();
    return s;
  } catch (err) {
    s.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export interface Transfer {
  /** Bytes that arrived (a download whose end was cut short has fewer than asked for). */
  bytes: number;
  /** Bytes asked for and never received: the connection closed first (0 when all arrived). */
  lost: number;
  seconds: number;
  mbPerSecond: number;
}

const transfer = (bytes: number, ms: number, lost = 0): Transfer => ({ bytes, lost, seconds: ms / 1000, mbPerSecond: bytes / 1e6 / (ms / 1000) });

/**
 * `bytes` from the target to this client: from the request to the last byte received. The target sends them and
 * then its FIN; a path that closes before every byte arrived is reported in `lost`, not thrown.
 */
export async function download(port: number, bytes: number): Promise<Transfer> {
  const s = await connectReady(port);
  try {
    let got = 0;
    const done = new Promise<void>((resolve) => {
      s.on('data', (b: Buffer) => {
        got += b.length;
        if (got >= bytes) resolve();
      });
      s.once('close', () => resolve());
    });
    const t0 = performance.now();
    s.write(`GET ${bytes}\n`);
    s.resume();
    await done;
    return transfer(got, performance.now() - t0, Math.max(0, bytes - got));
  } finally {
    s.destroy();
  }
}

/** `bytes` from this client to the target: from the first byte written to the target's "OK" (it has them all). */
export async function upload(port: number, bytes: number): Promise<Transfer> {
  const s = await connectReady(port);
  try {
    let answer = '';
    const ok = new Promise<void>((resolve, reject) => {
      s.on('data', (b: Buffer) => {
        answer += b.toString();
        if (answer.includes('\n')) (answer.startsWith(`OK ${bytes}`) ? resolve() : reject(new Error(`upload via ${port}: target said ${answer.trim()}`)));
      });
      s.once('close', () => reject(new Error(`upload via ${port}: closed before the target's OK`)));
    });
    s.resume();
    const t0 = performance.now();
    s.write(`PUT ${bytes}\n`);
    for (let left = bytes; left > 0; ) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      if (!s.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) await Promise.race([once(s, 'drain'), ok]);
    }
    await ok;
    return transfer(bytes, performance.now() - t0);
  } finally {
    s.destroy();
  }
}

/** Round trips of `size`-byte messages through the target's echo, one at a time; ms each, the first `warmup` dropped. */
export async function pingPong(port: number, count: number, size: number, warmup: number): Promise<number[]> {
  const s = await connectReady(port);
  try {
    s.write('ECHO\n');
    s.resume();
    const msg = Buffer.alloc(size, 'p');
    let got = 0;
    let wake: (() => void) | undefined;
    s.on('data', (b: Buffer) => {
      got += b.length;
      if (got >= size && wake) wake();
    });
    const rtts: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const arrived = new Promise<void>((resolve) => (wake = resolve));
      const t0 = performance.now();
      s.write(msg);
      await arrived;
      const ms = performance.now() - t0;
      got -= size;
      if (i >= warmup) rtts.push(ms);
    }
    return rtts;
  } finally {
    s.destroy();
  }
}

/** An open echo connection (a forward held open, as an engineer's idle VNC viewer would hold it). */
export async function openEcho(port: number): Promise<{ socket: Socket; ping(): Promise<void> }> {
  const s = await connectReady(port);
  s.write('ECHO\n');
  s.resume();
  return {
    socket: s,
    ping: async () => {
      const back = once(s, 'data');
      s.write('ping');
      await back;
    },
  };
}

/** A download that never ends (until stopped): the forward kept saturated; counts what arrived. */
export async function saturate(port: number): Promise<{ bytes(): number; stop(): void }> {
  const s = await connectReady(port);
  let got = 0;
  s.on('data', (b: Buffer) => void (got += b.length));
  s.write(`GET ${Number.MAX_SAFE_INTEGER}\n`);
  s.resume();
  return { bytes: () => got, stop: () => void s.destroy() };
}
