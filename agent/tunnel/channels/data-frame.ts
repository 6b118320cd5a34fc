/**
 * Channel data as a binary WebSocket frame: a 4-byte big-endian channel number, then the payload. Bulk bytes travel
 * this way (no base64, no JSON); the text `channel-data` message stays valid for peers that prefer it.
 */
export const DATA_HEADER_BYTES = 4;
const MAX_CHANNEL = 2 ** 31 - 1;

export function encodeDataFrame(channel: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(DATA_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(channel, 0);
  payload.copy(frame, DATA_HEADER_BYTES);
  return frame;
}

export type DecodedDataFrame = { ok: true; channel: number; payload: Buffer } | { ok: false; reason: string };

export function decodeDataFrame(frame: Buffer): DecodedDataFrame {
  if (frame.length < DATA_HEADER_BYTES) return { ok: false, reason: `binary frame of ${frame.length} bytes: shorter than the channel header` };
  const channel = frame.readUInt32BE(0);
  if (channel < 1 || channel > MAX_CHANNEL) return { ok: false, reason: `binary frame for channel ${channel}: out of range` };
  return { ok: true, channel, payload: frame.subarray(DATA_HEADER_BYTES) };
}
