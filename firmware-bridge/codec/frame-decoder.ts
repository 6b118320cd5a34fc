import { REJECT_REASON_LIST, type Framing, type RejectReason } from '../profiles/types.js';

/** A complete, verified frame. `offset` counts bytes from the first byte ever fed to this decoder. */
export interface DecodedFrame {
  kind: 'frame';
  offset: number;
  /** The whole frame, sync byte to last byte; a copy the receiver owns. */
  bytes: Buffer;
}

/** One rejected byte sequence: `length` bytes from stream offset `offset`, for one reason. */
export interface Rejection {
  kind: 'reject';
  reason: RejectReason;
  offset: number;
  length: number;
}

export interface DecoderHandlers {
  onFrame?(frame: DecodedFrame): void;
  onReject?(rejection: Rejection): void;
}

export interface RejectCount {
  sequences: number;
  bytes: number;
}

export interface DecoderStats {
  bytesFed: number;
  frames: number;
  frameBytes: number;
  rejected: Record<RejectReason, RejectCount>;
  /** Bytes held back because they may still become a frame; 0 after `flush()`. */
  pendingBytes: number;
}

/**
 * Streaming frame decoder, generic over a profile's Framing.
 *
 * Invariant (fuzzed): every byte fed ends up in exactly one accepted frame or one rejected sequence, in stream order,
 * so bytesFed = frameBytes + Σ rejected bytes + pendingBytes, and the frames and rejections tile the stream.
 *
 * Resynchronisation: when a candidate frame fails, only the bytes up to the next sync byte *inside* it are rejected
 * and scanning restarts there. A real frame that begins inside garbage, a truncated frame or a frame with a bogus
 * length is therefore still found (unless the garbage itself happens to form a valid frame, 1 in 2^16 for stx-bcc).
 *
 * The decoder is pure: no timers. Whoever owns the link calls `flush()` when the line has gone quiet (request
 * timeout, inter-byte gap, close), which turns a started-but-unfinished frame into `truncated` and rescans what followed.
 */
export class FrameDecoder {
  private readonly onFrame: DecoderHandlers['onFrame'];
  private readonly onReject: DecoderHandlers['onReject'];
  /** Holds pending bytes (an unfinished candidate) between pushes; pending bytes always start at work[0]. */
  private work: Buffer;
  private pendingLen = 0;
  private bytesFed = 0;
  private frames = 0;
  private frameBytes = 0;
  private readonly rejected = Object.fromEntries(REJECT_REASON_LIST.map((r) => [r, { sequences: 0, bytes: 0 }])) as Record<
    RejectReason,
    RejectCount
  >;
  /** Notifications are queued during a scan and delivered once the decoder's state is consistent again. */
  private events: Array<DecodedFrame | Rejection> = [];
  private delivering = false;

  constructor(
    private readonly framing: Framing,
    handlers: DecoderHandlers = {},
  ) {
    this.onFrame = handlers.onFrame;
    this.onReject = handlers.onReject;
    this.work = Buffer.allocUnsafe(framing.maxFrameBytes * 2);
  }

  push(chunk: Uint8Array): void {
    this.guardReentry();
    if (chunk.length === 0) return;
    this.bytesFed += chunk.length;
    let buf: Buffer;
    const inWork = this.pendingLen > 0;
    if (!inWork) {
      // Common case: nothing pending, scan the caller's bytes in place (no copy).
      buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    } else {
      this.ensureCapacity(this.pendingLen + chunk.length);
      this.work.set(chunk, this.pendingLen);
      buf = this.work.subarray(0, this.pendingLen + chunk.length);
    }
    const stop = this.scan(buf, this.bytesFed - buf.length, false);
    const tail = buf.length - stop;
    if (tail > 0) {
      if (inWork) this.work.copyWithin(0, stop, buf.length);
      else {
        this.ensureCapacity(tail);
        this.work.set(buf.subarray(stop));
      }
    }
    this.pendingLen = tail;
    this.deliver();
  }

  /** The line went quiet: whatever is pending can no longer complete. Rejects it as truncated and rescans after it. */
  flush(): void {
    this.guardReentry();
    if (this.pendingLen === 0) return;
    const buf = this.work.subarray(0, this.pendingLen);
    this.scan(buf, this.bytesFed - buf.length, true);
    this.pendingLen = 0;
    this.deliver();
  }

  get pendingBytes(): number {
    return this.pendingLen;
  }

  stats(): DecoderStats {
    const rejected = {} as Record<RejectReason, RejectCount>;
    for (const reason of REJECT_REASON_LIST) rejected[reason] = { ...this.rejected[reason] };
    return { bytesFed: this.bytesFed, frames: this.frames, frameBytes: this.frameBytes, rejected, pendingBytes: this.pendingLen };
  }

  /**
   * Scans buf (whose first byte is at stream offset `base`) and returns how many leading bytes were consumed.
   * With `final`, nothing is left: a candidate that cannot complete is rejected as truncated.
   */
  private scan(buf: Buffer, base: number, final: boolean): number {
    const { syncByte, headerBytes } = this.framing;
    const len = buf.length;
    let i = 0;
    while (i < len) {
      if (buf[i] !== syncByte) {
        let next = buf.indexOf(syncByte, i + 1);
        if (next === -1) next = len;
        this.reject('garbage', base + i, next - i);
        i = next;
        continue;
      }
      const available = len - i;
      if (available < headerBytes) {
        if (!final) break;
        i = this.rejectCandidate('truncated', buf, base, i, available);
        continue;
      }
      const total = this.framing.measure(buf, i);
      if (typeof total !== 'number') {
        i = this.rejectCandidate(total, buf, base, i, headerBytes);
        continue;
      }
      if (available < total) {
        if (!final) break;
        i = this.rejectCandidate('truncated', buf, base, i, available);
        continue;
      }
      const bad = this.framing.check(buf, i, total);
      if (bad !== null) {
        i = this.rejectCandidate(bad, buf, base, i, total);
        continue;
      }
      this.frames++;
      this.frameBytes += total;
      if (this.onFrame) {
        const bytes = Buffer.allocUnsafe(total);
        buf.copy(bytes, 0, i, i + total);
        this.events.push({ kind: 'frame', offset: base + i, bytes });
      }
      i += total;
    }
    return i;
  }

  /** Rejects a failed candidate at i spanning `span` bytes, up to the next sync byte inside it; returns where to rescan. */
  private rejectCandidate(reason: RejectReason, buf: Buffer, base: number, i: number, span: number): number {
    const next = buf.indexOf(this.framing.syncByte, i + 1);
    const end = next === -1 || next > i + span ? i + span : next;
    this.reject(reason, base + i, end - i);
    return end;
  }

  private reject(reason: RejectReason, offset: number, length: number): void {
    const count = this.rejected[reason];
    count.sequences++;
    count.bytes += length;
    if (this.onReject) this.events.push({ kind: 'reject', reason, offset, length });
  }

  /** Runs every queued handler even if one throws, then rethrows the first error: no notification is silently lost. */
  private deliver(): void {
    if (this.events.length === 0) return;
    const events = this.events;
    this.events = [];
    this.delivering = true;
    let failure: { error: unknown } | undefined;
    try {
      for (const event of events) {
        try {
          if (event.kind === 'frame') this.onFrame?.(event);
          else this.onReject?.(event);
        } catch (error) {
          failure ??= { error };
        }
      }
    } finally {
      this.delivering = false;
    }
    if (failure) throw failure.error;
  }

  private guardReentry(): void {
    // A handler feeding bytes back in would interleave with the scan in progress and break the byte accounting.
    if (this.delivering) throw new Error('FrameDecoder: push/flush called from inside a frame or reject handler');
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.work.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.work.length * 2));
    this.work.copy(grown, 0, 0, this.pendingLen);
    this.work = grown;
  }
}
