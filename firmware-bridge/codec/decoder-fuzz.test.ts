import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { stxBccProfile } from '../profiles/stx-bcc.js';
import { REJECT_REASON_LIST, type Framing, type RejectReason } from '../profiles/types.js';
import { FrameDecoder } from './frame-decoder.js';
import { FuzzInputs, type Direction, type PlacedFrame } from './fuzz-inputs.js';

/*
 * Decoder fuzzing: 1,000,000 inputs across four families. For every input, fed in random chunks and then flushed:
 *   - no exception escapes;
 *   - frames and rejections tile the input exactly (each starts where the previous ended, none empty, none left over),
 *     so frame bytes + rejected bytes by reason = bytes fed;
 *   - every accepted frame is valid by an independent oracle written from the spec, and equals the input at its offset;
 *   - family-specific: a single bit flip is never accepted as the original frame (BCC catches it); every valid frame
 *     embedded in a stream is found at its offset unless a false frame made of garbage covers it.
 * Failures are collected (first 10, with seed and index to reproduce) and asserted once per family.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed0003);
const COUNTS = { random: 300_000, mutated: 400_000, bitFlip: 100_000, stream: 200_000 } as const;

/** stx-bcc validity from the specification's text, not from the profile's code. */
function oracleValid(frame: Uint8Array, direction: Direction): boolean {
  if (frame.length < 3 || frame[0] !== 0x02) return false;
  const len = frame[1]! * 256 + frame[2]!;
  if (len < (direction === 'request' ? 1 : 2) || frame.length !== len + 5 || frame.length > 512) return false;
  if (frame[frame.length - 1] !== 0x03) return false;
  let bcc = 0;
  for (let i = 1; i < frame.length - 2; i++) bcc ^= frame[i]!;
  return bcc === frame[frame.length - 2];
}

interface Totals {
  inputs: number;
  bytesFed: number;
  frames: number;
  frameBytes: number;
  rejected: Record<RejectReason, { sequences: number; bytes: number }>;
  exceptions: number;
  streamFramesPlaced: number;
  streamFramesFound: number;
  streamFramesCoveredByFalseFrame: number;
}

const totals: Totals = {
  inputs: 0,
  bytesFed: 0,
  frames: 0,
  frameBytes: 0,
  rejected: Object.fromEntries(REJECT_REASON_LIST.map((r) => [r, { sequences: 0, bytes: 0 }])) as Totals['rejected'],
  exceptions: 0,
  streamFramesPlaced: 0,
  streamFramesFound: 0,
  streamFramesCoveredByFalseFrame: 0,
};
const started = performance.now();

const framingOf = (d: Direction): Framing => (d === 'request' ? stxBccProfile.requestFraming : stxBccProfile.responseFraming);

/** Feeds one input and checks the universal invariants; returns the accepted frames' offsets and lengths. */
function feed(input: Buffer, chunks: Buffer[], direction: Direction, failures: string[], where: string): PlacedFrame[] {
  const fail = (what: string) => {
    if (failures.length < 10) failures.push(`${where}: ${what}; input ${input.toString('hex').slice(0, 200)}`);
  };
  const frames: PlacedFrame[] = [];
  let next = 0;
  const decoder = new FrameDecoder(framingOf(direction), {
    onFrame(f) {
      if (f.offset !== next) fail(`frame at ${f.offset}, expected ${next}`);
      if (!oracleValid(f.bytes, direction)) fail(`accepted an invalid frame at ${f.offset}`);
      if (!input.subarray(f.offset, f.offset + f.bytes.length).equals(f.bytes)) fail(`frame bytes differ from input at ${f.offset}`);
      frames.push({ offset: f.offset, length: f.bytes.length });
      next = f.offset + f.bytes.length;
    },
    onReject(r) {
      if (r.offset !== next || r.length <= 0) fail(`${r.reason} at ${r.offset}+${r.length}, expected offset ${next}`);
      next = r.offset + r.length;
    },
  });
  try {
    for (const chunk of chunks) decoder.push(chunk);
    decoder.flush();
  } catch (error) {
    totals.exceptions++;
    fail(`exception ${(error as Error).stack ?? String(error)}`);
    return frames;
  }
  const s = decoder.stats();
  const rejectedBytes = REJECT_REASON_LIST.reduce((sum, r) => sum + s.rejected[r].bytes, 0);
  if (next !== input.length) fail(`notifications cover ${next} of ${input.length} bytes`);
  if (s.bytesFed !== input.length || s.pendingBytes !== 0) fail(`fed ${s.bytesFed}, pending ${s.pendingBytes}`);
  if (s.frameBytes + rejectedBytes !== s.bytesFed) fail(`frames ${s.frameBytes} + rejected ${rejectedBytes} != fed ${s.bytesFed}`);
  if (s.frames !== frames.length) fail(`stats count ${s.frames} frames, handler saw ${frames.length}`);
  totals.inputs++;
  totals.bytesFed += s.bytesFed;
  totals.frames += s.frames;
  totals.frameBytes += s.frameBytes;
  for (const r of REJECT_REASON_LIST) {
    totals.rejected[r].sequences += s.rejected[r].sequences;
    totals.rejected[r].bytes += s.rejected[r].bytes;
  }
  return frames;
}

const direction = (i: number): Direction => (i & 1 ? 'request' : 'response');

describe(`decoder fuzz (seed ${SEED}; reproduce with FUZZ_SEED=${SEED})`, () => {
  it(`random biased bytes: ${COUNTS.random} inputs`, () => {
    const gen = new FuzzInputs(stxBccProfile, SEED);
    const failures: string[] = [];
    for (let i = 0; i < COUNTS.random; i++) {
      const input = gen.randomBytes(600);
      feed(input, gen.chunks(input), direction(i), failures, `random #${i}`);
    }
    expect(failures).toEqual([]);
  });

  it(`mutated frames: ${COUNTS.mutated} inputs`, () => {
    const gen = new FuzzInputs(stxBccProfile, SEED + 1);
    const failures: string[] = [];
    for (let i = 0; i < COUNTS.mutated; i++) {
      const input = gen.mutatedFrame(direction(i));
      feed(input, gen.chunks(input), direction(i), failures, `mutated #${i}`);
    }
    expect(failures).toEqual([]);
  });

  it(`single bit flips: ${COUNTS.bitFlip} inputs, none accepted as the original frame`, () => {
    const gen = new FuzzInputs(stxBccProfile, SEED + 2);
    const failures: string[] = [];
    for (let i = 0; i < COUNTS.bitFlip; i++) {
      const { bytes, originalLength } = gen.bitFlippedFrame(direction(i));
      const frames = feed(bytes, gen.chunks(bytes), direction(i), failures, `bitflip #${i}`);
      if (frames.some((f) => f.offset === 0 && f.length === originalLength)) failures.push(`bitflip #${i}: accepted ${bytes.toString('hex')}`);
    }
    expect(failures).toEqual([]);
  });

  it(`mixed streams: ${COUNTS.stream} inputs, every embedded valid frame recovered`, () => {
    const gen = new FuzzInputs(stxBccProfile, SEED + 3);
    const failures: string[] = [];
    for (let i = 0; i < COUNTS.stream; i++) {
      const d = direction(i);
      const stream = gen.stream(d, 6);
      const found = feed(stream.bytes, gen.chunks(stream.bytes), d, failures, `stream #${i}`);
      const at = new Set(found.map((f) => f.offset));
      for (const placed of stream.frames) {
        totals.streamFramesPlaced++;
        if (at.has(placed.offset)) {
          totals.streamFramesFound++;
          continue;
        }
        // The only excuse: bytes before it formed a valid-looking frame that swallowed it (1 in 65,536 per candidate).
        const covered = found.some((f) => f.offset < placed.offset && f.offset + f.length > placed.offset);
        if (covered) totals.streamFramesCoveredByFalseFrame++;
        else if (failures.length < 10) failures.push(`stream #${i}: valid frame at ${placed.offset} lost; ${stream.bytes.toString('hex')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(totals.streamFramesFound).toBeGreaterThan(0.999 * totals.streamFramesPlaced);
  });

  afterAll(() => {
    const rejected = REJECT_REASON_LIST.reduce((sum, r) => sum + totals.rejected[r].bytes, 0);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `decoder fuzz: ${totals.inputs} inputs, ${totals.bytesFed} bytes, ${totals.frames} frames (${totals.frameBytes} bytes), ` +
        `rejected ${rejected} bytes ${JSON.stringify(totals.rejected)}, exceptions ${totals.exceptions}; ` +
        `stream frames found ${totals.streamFramesFound}/${totals.streamFramesPlaced} ` +
        `(covered by a false frame ${totals.streamFramesCoveredByFalseFrame}); ${seconds.toFixed(1)} s`,
    );
    // The whole run adds up too, not just each input.
    expect(totals.frameBytes + rejected).toBe(totals.bytesFed);
    expect(totals.inputs).toBe(COUNTS.random + COUNTS.mutated + COUNTS.bitFlip + COUNTS.stream);
  });
});
