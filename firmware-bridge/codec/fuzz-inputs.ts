import type { ReaderProfile } from '../profiles/types.js';

/*
 * Seeded input generators for decoder fuzzing and benchmarks: random bytes, valid frames, mutated frames and
 * mixed streams. Deterministic for a seed, so a failing input is reproduced from (seed, index) alone.
 */

/** mulberry32: tiny, fast and good enough to drive fuzzing; returns uint32. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export type Direction = 'request' | 'response';

/** A valid frame placed in a stream, so a test can check it was found. */
export interface PlacedFrame {
  offset: number;
  length: number;
}

export interface FuzzStream {
  bytes: Buffer;
  /** Unmodified valid frames inside `bytes`. */
  frames: PlacedFrame[];
}

export class FuzzInputs {
  private readonly rand: () => number;

  constructor(
    private readonly profile: ReaderProfile,
    seed: number,
  ) {
    this.rand = seededRandom(seed);
  }

  below(n: number): number {
    return this.rand() % n;
  }

  /**
   * Random bytes biased towards what confuses a decoder: sync bytes (1 in 8), the end marker and small numbers
   * that make plausible length fields. Uniform bytes alone would almost never start a candidate frame.
   */
  randomBytes(maxLength: number): Buffer {
    const length = this.below(maxLength + 1);
    const out = Buffer.allocUnsafe(length);
    const sync = this.profile.requestFraming.syncByte;
    for (let i = 0; i < length; i++) {
      const r = this.rand();
      const pick = r & 15;
      out[i] = pick < 2 ? sync : pick === 2 ? 0x03 : pick < 5 ? (r >>> 8) & 0x0f : (r >>> 8) & 0xff;
    }
    return out;
  }

  /** A valid frame with a random command, status and data length (0 to the longest the profile allows). */
  validFrame(direction: Direction): Buffer {
    const maxFrame = this.profile.requestFraming.maxFrameBytes;
    // Mostly short frames like real traffic, sometimes up to the maximum.
    let dataLength = this.below(8) === 0 ? this.below(maxFrame) : this.below(24);
    const cmd = 0x30 + this.below(8);
    const status = this.below(4) === 0 ? this.below(256) : 0;
    for (;;) {
      const data = Buffer.allocUnsafe(dataLength);
      for (let i = 0; i < dataLength; i++) data[i] = this.rand() & 0xff;
      try {
        return direction === 'request' ? this.profile.encodeRequest({ cmd, data }) : this.profile.encodeResponse({ cmd, status, data });
      } catch (error) {
        // Past the profile's maximum (its header size is not known here): shrink until it fits.
        if (!(error instanceof RangeError) || dataLength === 0) throw error;
        dataLength = dataLength >> 1;
      }
    }
  }

  /** A valid frame with 1 to 3 random mutations. */
  mutatedFrame(direction: Direction): Buffer {
    let frame = this.validFrame(direction);
    const mutations = 1 + this.below(3);
    for (let m = 0; m < mutations; m++) frame = this.mutate(frame, direction);
    return frame;
  }

  /** Flips exactly one bit of a valid frame; returns the frame and the original length. */
  bitFlippedFrame(direction: Direction): { bytes: Buffer; originalLength: number } {
    const bytes = this.validFrame(direction);
    const at = this.below(bytes.length);
    bytes[at] = bytes[at]! ^ (1 << this.below(8));
    return { bytes, originalLength: bytes.length };
  }

  /** Garbage, valid frames and mutated frames interleaved; the valid ones are listed with their offsets. */
  stream(direction: Direction, maxSegments: number): FuzzStream {
    const parts: Buffer[] = [];
    const frames: PlacedFrame[] = [];
    let offset = 0;
    const segments = 1 + this.below(maxSegments);
    for (let s = 0; s < segments; s++) {
      const kind = this.below(3);
      const part = kind === 0 ? this.validFrame(direction) : kind === 1 ? this.mutatedFrame(direction) : this.randomBytes(24);
      if (kind === 0) frames.push({ offset, length: part.length });
      parts.push(part);
      offset += part.length;
    }
    return { bytes: Buffer.concat(parts, offset), frames };
  }

  /** Cuts bytes into 1 to 6 chunks at random points, as a serial driver would deliver them. */
  chunks(bytes: Buffer): Buffer[] {
    const cuts = this.below(6);
    const points = new Set<number>();
    for (let c = 0; c < cuts && bytes.length > 1; c++) points.add(1 + this.below(bytes.length - 1));
    const sorted = [...points].sort((a, b) => a - b);
    const out: Buffer[] = [];
    let from = 0;
    for (const p of sorted) {
      out.push(bytes.subarray(from, p));
      from = p;
    }
    out.push(bytes.subarray(from));
    return out;
  }

  private mutate(frame: Buffer, direction: Direction): Buffer {
    const at = frame.length === 0 ? 0 : this.below(frame.length);
    switch (this.below(9)) {
      case 0: // bit flip
        if (frame.length) frame[at] = frame[at]! ^ (1 << this.below(8));
        return frame;
      case 1: // byte replaced
        if (frame.length) frame[at] = this.rand() & 0xff;
        return frame;
      case 2: // byte inserted (often a sync byte: a false frame start inside a real one)
        return Buffer.concat([frame.subarray(0, at), Buffer.from([this.below(2) ? 0x02 : this.rand() & 0xff]), frame.subarray(at)]);
      case 3: // byte deleted
        return Buffer.concat([frame.subarray(0, at), frame.subarray(at + 1)]);
      case 4: // truncated
        return frame.subarray(0, at);
      case 5: {
        // length field rewritten: tiny, off by a little, or huge
        if (frame.length < 3) return frame;
        const old = frame.readUInt16BE(1);
        const choices = [this.below(3), old + this.below(5) - 2, 500 + this.below(20), this.rand() & 0xffff];
        frame.writeUInt16BE(Math.max(0, Math.min(0xffff, choices[this.below(4)]!)), 1);
        return frame;
      }
      case 6: // a slice repeated
        return Buffer.concat([frame.subarray(0, at), frame.subarray(at - this.below(at + 1))]);
      case 7: // spliced with another frame: the head of one, the tail of another
        return Buffer.concat([frame.subarray(0, at), this.validFrame(direction).subarray(at)]);
      default: // garbage prepended
        return Buffer.concat([this.randomBytes(8), frame]);
    }
  }
}
