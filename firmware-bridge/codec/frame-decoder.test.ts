import { describe, expect, it } from 'vitest';
import { stxBccProfile as p } from '../profiles/stx-bcc.js';
import { REJECT_REASON_LIST } from '../profiles/types.js';
import { FrameDecoder, type DecodedFrame, type Rejection } from './frame-decoder.js';

const bytes = (...b: number[]) => Buffer.from(b);
const response = (cmd: number, data: number[] = [], status = 0) => p.encodeResponse({ cmd, status, data: Buffer.from(data) });

function recorder() {
  const events: Array<DecodedFrame | Rejection> = [];
  const decoder = new FrameDecoder(p.responseFraming, { onFrame: (f) => events.push(f), onReject: (r) => events.push(r) });
  const summary = () => events.map((e) => (e.kind === 'frame' ? `frame@${e.offset}:${e.bytes.length}` : `${e.reason}@${e.offset}:${e.length}`));
  return { decoder, events, summary };
}

/** Bytes accepted plus bytes rejected plus bytes pending must equal bytes fed: checked after every scenario. */
function expectAccounted(decoder: FrameDecoder): void {
  const s = decoder.stats();
  const rejected = REJECT_REASON_LIST.reduce((sum, r) => sum + s.rejected[r].bytes, 0);
  expect(s.frameBytes + rejected + s.pendingBytes).toBe(s.bytesFed);
}

describe('FrameDecoder on stx-bcc responses', () => {
  it('decodes one frame with its stream offset and a copy of its bytes', () => {
    const { decoder, events } = recorder();
    const frame = response(0x32, [0x01]);
    decoder.push(frame);
    expect(events).toEqual([{ kind: 'frame', offset: 0, bytes: frame }]);
    frame[5] = 0x99; // the caller reusing its buffer must not change what was delivered
    expect((events[0] as DecodedFrame).bytes[5]).toBe(0x01);
    expectAccounted(decoder);
  });

  it('rejects garbage around frames with exact offsets and lengths', () => {
    const { decoder, summary } = recorder();
    const frame = response(0x31, [0x41]); // 8 bytes
    decoder.push(Buffer.concat([bytes(0xaa, 0xbb, 0xcc), frame, bytes(0x00, 0xff), frame]));
    expect(summary()).toEqual(['garbage@0:3', 'frame@3:8', 'garbage@11:2', 'frame@13:8']);
    expect(decoder.stats().rejected.garbage).toEqual({ sequences: 2, bytes: 5 });
    expectAccounted(decoder);
  });

  it('finds a frame split at every possible position across two pushes', () => {
    const frame = response(0x31, [...Buffer.from('EMU-1.2.3')]);
    for (let cut = 0; cut <= frame.length; cut++) {
      const { decoder, summary } = recorder();
      decoder.push(frame.subarray(0, cut));
      decoder.push(frame.subarray(cut));
      expect(summary(), `cut at ${cut}`).toEqual([`frame@0:${frame.length}`]);
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('decodes a stream fed one byte at a time', () => {
    const { decoder, summary } = recorder();
    const stream = Buffer.concat([bytes(0x55), response(0x34), response(0x32, [0x80])]);
    for (const b of stream) decoder.push(bytes(b));
    expect(summary()).toEqual(['garbage@0:1', 'frame@1:7', 'frame@8:8']);
  });

  it('rejects a bad checksum and resynchronises on the next frame', () => {
    const { decoder, summary } = recorder();
    const good = response(0x32, [0x01]);
    decoder.push(Buffer.concat([p.corruptChecksum(good), good]));
    expect(summary()).toEqual(['bad_checksum@0:8', 'frame@8:8']);
  });

  it('rejects a wrong end marker', () => {
    const { decoder, summary } = recorder();
    const frame = response(0x32, [0x01]);
    frame[frame.length - 1] = 0x04;
    decoder.push(frame);
    expect(summary()).toEqual(['bad_end@0:8']);
  });

  it('rejects an over-long header at once, without waiting for 512 bytes', () => {
    const { decoder, summary } = recorder();
    decoder.push(Buffer.concat([bytes(0x02, 0x7f, 0xff), response(0x34)]));
    expect(summary()).toEqual(['too_long@0:3', 'frame@3:7']);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('rejects a length below CMD + ST', () => {
    const { decoder, summary } = recorder();
    decoder.push(Buffer.concat([bytes(0x02, 0x00, 0x01), response(0x34)]));
    expect(summary()).toEqual(['bad_length@0:3', 'frame@3:7']);
  });

  it('rejects only up to a sync byte inside a failed candidate, so a frame starting there is kept', () => {
    const { decoder, summary } = recorder();
    // Header announces 8 data bytes; a real frame starts 3 bytes in and is swallowed by that span.
    const inner = response(0x34);
    decoder.push(Buffer.concat([bytes(0x02, 0x00, 0x0a), inner, bytes(0x11, 0x22, 0x33, 0x44, 0x55)]));
    expect(summary()).toEqual(['bad_end@0:3', 'frame@3:7', 'garbage@10:5']);
  });

  it('holds a partial frame, and flush() turns it into truncated', () => {
    const { decoder, summary } = recorder();
    decoder.push(response(0x32, [0x01]).subarray(0, 5));
    expect(summary()).toEqual([]);
    expect(decoder.pendingBytes).toBe(5);
    decoder.flush();
    expect(summary()).toEqual(['truncated@0:5']);
    expectAccounted(decoder);
  });

  it('flush() recovers a complete frame that a truncated one was waiting across', () => {
    const { decoder, summary } = recorder();
    const cut = response(0x31, [...Buffer.from('VERSION-TEXT-LONG')]).subarray(0, 6); // announces 24 bytes, only 6 came
    decoder.push(Buffer.concat([cut, response(0x34)]));
    expect(summary()).toEqual([]); // still plausible: 13 of 24 bytes
    decoder.flush();
    expect(summary()).toEqual(['truncated@0:6', 'frame@6:7']);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('accepts a 512-byte frame', () => {
    const { decoder, summary } = recorder();
    decoder.push(response(0x31, new Array(505).fill(0x41)));
    expect(summary()).toEqual(['frame@0:512']);
  });

  it('takes Uint8Array chunks that are not Buffers, including views into a larger buffer', () => {
    const { decoder, summary } = recorder();
    const backing = new Uint8Array(32);
    const frame = response(0x34);
    backing.set(frame, 10);
    decoder.push(backing.subarray(10, 10 + frame.length));
    expect(summary()).toEqual(['frame@0:7']);
  });

  it('delivers every notification even when a handler throws, then rethrows, and keeps counting', () => {
    const seen: number[] = [];
    const decoder = new FrameDecoder(p.responseFraming, {
      onFrame: (f) => {
        seen.push(f.offset);
        if (f.offset === 0) throw new Error('handler bug');
      },
    });
    expect(() => decoder.push(Buffer.concat([response(0x34), response(0x34)]))).toThrow('handler bug');
    expect(seen).toEqual([0, 7]);
    decoder.push(response(0x34));
    expect(seen).toEqual([0, 7, 14]);
    expect(decoder.stats().frames).toBe(3);
  });

  it('refuses to be fed from inside its own handler', () => {
    const decoder: FrameDecoder = new FrameDecoder(p.responseFraming, { onFrame: () => decoder.push(bytes(1)) });
    expect(() => decoder.push(response(0x34))).toThrow(/inside a frame or reject handler/);
  });

  it('keeps the request and response framings apart (LEN 1 is a request, not a response)', () => {
    const request = p.encodeRequest({ cmd: 0x31, data: bytes() });
    const asRequest = new FrameDecoder(p.requestFraming);
    const asResponse = new FrameDecoder(p.responseFraming);
    asRequest.push(request);
    asResponse.push(request);
    expect(asRequest.stats().frames).toBe(1);
    expect(asResponse.stats().rejected.bad_length.sequences).toBe(1);
  });
});
