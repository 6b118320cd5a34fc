import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { Channel } from '../../../agent/tunnel/channels/channel.js';
import { encodeDiagHeader, type DiagHeader } from '../../../agent/assist/kinds/diag/header.js';
import { ShellFrameDecoder } from '../../../agent/assist/kinds/shell/frames.js';
import type { KindServer } from './assist-agent.js';

/** What the scripted agent serves on accepted channels (test doubles of the real kinds, speaking their formats). */

/** Every byte back as it came, read only as fast as the echo is written. */
export const echo: KindServer = (ch) => ch.setReader((b) => ch.write(b));

/** A deterministic byte pattern, so a transfer can be checked end to end. */
export function pattern(bytes: number, seed = 7): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >>> 16;
  }
  return b;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Sends `data` in chunks as credit allows, then closes "done". */
export function source(data: Buffer, chunk = 64 * 1024): KindServer {
  return (ch) => {
    void (async () => {
      for (let off = 0; off < data.length; off += chunk) await ch.write(data.subarray(off, off + chunk));
      ch.close('done');
    })().catch(() => undefined);
  };
}

/** Takes what arrives (slowly, if asked), hashing it; the result when the peer closes. */
export function sink(into: { hash?: string; bytes: number; closedWith?: string }, delayMs = 0): KindServer {
  return (ch) => {
    const h = createHash('sha256');
    ch.setReader(async (b) => {
      h.update(b);
      into.bytes += b.length;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    });
    ch.once('close', (reason: string) => {
      into.hash = h.digest('hex');
      into.closedWith = reason;
    });
  };
}

/** A diag answer: the header line, then the body, then "done" (or "bad_params" for a refusal, as the agent does). */
export function diagAnswer(header: DiagHeader, body: Buffer | string = ''): KindServer {
  return (ch) => {
    void (async () => {
      await ch.write(Buffer.concat([encodeDiagHeader(header), Buffer.from(body)]));
      ch.close(header.ok ? 'done' : 'bad_params');
    })().catch(() => undefined);
  };
}

/** A forward: a TCP connection to params.target, piped both ways with backpressure. */
export const forward: KindServer = (ch, req) => {
  const [host, port] = String(req.params.target).split(/:(?=\d+$)/);
  const sock = connect({ host: host!, port: Number(port) });
  sock.on('data', (b) => {
    sock.pause();
    ch.write(b).then(
      () => sock.resume(),
      () => sock.destroy(),
    );
  });
  ch.setReader((b) => new Promise<void>((resolve) => (sock.write(b) ? resolve() : sock.once('drain', resolve))));
  sock.on('end', () => ch.close('done'));
  sock.on('error', () => ch.close('error'));
  ch.once('close', () => sock.destroy());
};

/** A shell double: input frames come back upper-cased; resizes are recorded. */
export function shell(resizes: { cols: number; rows: number }[] = []): KindServer {
  return (ch, req) => {
    resizes.push({ cols: Number(req.params.cols), rows: Number(req.params.rows) });
    const frames = new ShellFrameDecoder();
    ch.setReader(async (b) => {
      for (const f of frames.push(b)) {
        if (f.type === 'resize') resizes.push(f.size);
        else await ch.write(Buffer.from(f.bytes.toString('utf8').toUpperCase()));
      }
    });
  };
}
