/**
 * The engineer → agent direction of a shell channel: a sequence of frames, each a type byte, a 4-byte big-endian
 * payload length, then the payload. Input keystrokes and window resizes share the one ordered stream, so a resize
 * never overtakes the keys typed before it. The agent → engineer direction is the pty's output, raw.
 */
export const SHELL_FRAME = { input: 0x00, resize: 0x01 } as const;

/** Largest payload of one frame (a paste is cut into frames this size). */
export const MAX_SHELL_FRAME = 64 * 1024;

export interface WindowSize {
  cols: number;
  rows: number;
}

export function inputFrame(bytes: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = SHELL_FRAME.input;
  head.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

export function resizeFrame(size: WindowSize): Buffer {
  const body = Buffer.from(JSON.stringify({ cols: size.cols, rows: size.rows }));
  const head = Buffer.alloc(5);
  head[0] = SHELL_FRAME.resize;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

export type ShellFrame = { type: 'input'; bytes: Buffer } | { type: 'resize'; size: WindowSize };

/** Splits a byte stream into frames; bytes of a frame not yet complete wait for the next chunk. */
export class ShellFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private offset = 0;

  /** The frames completed by `chunk`; throws with the stream offset on a bad frame (the channel is then closed). */
  push(chunk: Buffer): ShellFrame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: ShellFrame[] = [];
    let at = 0;
    while (this.pending.length - at >= 5) {
      const type = this.pending[at]!;
      const len = this.pending.readUInt32BE(at + 1);
      const where = this.offset + at;
      if (len > MAX_SHELL_FRAME) throw new Error(`shell frame at offset ${where}: length ${len} exceeds ${MAX_SHELL_FRAME}`);
      if (this.pending.length - at - 5 < len) break;
      const body = this.pending.subarray(at + 5, at + 5 + len);
      if (type === SHELL_FRAME.input) out.push({ type: 'input', bytes: Buffer.from(body) });
      else if (type === SHELL_FRAME.resize) out.push({ type: 'resize', size: parseSize(body, where) });
      else throw new Error(`shell frame at offset ${where}: unknown type 0x${type.toString(16).padStart(2, '0')}`);
      at += 5 + len;
    }
    this.offset += at;
    this.pending = this.pending.subarray(at);
    return out;
  }
}

function parseSize(body: Buffer, where: number): WindowSize {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error(`shell frame at offset ${where}: a resize that is not JSON`);
  }
  const { cols, rows } = (v ?? {}) as Partial<WindowSize>;
  const ok = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 1000;
  if (!ok(cols) || !ok(rows)) throw new Error(`shell frame at offset ${where}: a resize needs integer cols and rows 1..1000`);
  return { cols: cols!, rows: rows! };
}
