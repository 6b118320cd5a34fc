import { Ajv, type ValidateFunction } from 'ajv';
import { CLOSE, type CloseCode } from './constants.js';
import { MESSAGES, type AgentMessage, type DeskMessage } from './messages.js';

/** Who sent the frame being decoded. */
export type Sender = 'agent' | 'desk';

export type Decoded<M> = { ok: true; message: M } | { ok: false; close: CloseCode; reason: string };

let ajv: Ajv | undefined;
const validators: Record<Sender, Map<string, ValidateFunction>> = { agent: new Map(), desk: new Map() };

/** Compiled on first use: an agent only ever needs the desk's message types, and compiled code costs memory. */
function validator(sender: Sender, type: string): ValidateFunction | undefined {
  let v = validators[sender].get(type);
  if (v) return v;
  const schema = Object.hasOwn(MESSAGES[sender], type) ? MESSAGES[sender][type] : undefined;
  if (!schema) return undefined;
  ajv ??= new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
  v = ajv.compile(schema);
  validators[sender].set(type, v);
  return v;
}

/**
 * Parses and validates one frame from the peer. Never throws: a bad frame comes back with the close code to use and
 * a short reason (what and where, e.g. `events: /events/3/seq must be integer`) for the log and the close frame.
 */
export function decodeFrame<S extends Sender>(
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
  sender: S,
  maxBytes: number,
): Decoded<S extends 'agent' ? AgentMessage : DeskMessage> {
  if (isBinary) return { ok: false, close: CLOSE.unknownType, reason: 'binary frame: reserved for assistance channels' };
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (buf.length > maxBytes) return { ok: false, close: CLOSE.tooBig, reason: `frame of ${buf.length} bytes exceeds ${maxBytes}` };
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    return { ok: false, close: CLOSE.malformed, reason: `not JSON: ${(err as Error).message}` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, close: CLOSE.malformed, reason: 'not a JSON object' };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, close: CLOSE.malformed, reason: 'no "type" string' };
  const validate = validator(sender, type);
  if (!validate) return { ok: false, close: CLOSE.unknownType, reason: `unknown message type "${type.slice(0, 40)}" from ${sender}` };
  if (!validate(value)) {
    const e = validate.errors?.[0];
    return { ok: false, close: CLOSE.invalid, reason: `${type}: ${e?.instancePath || '/'} ${e?.message ?? 'invalid'}` };
  }
  return { ok: true, message: value as S extends 'agent' ? AgentMessage : DeskMessage };
}

/** A close frame's reason may hold 123 bytes of UTF-8. */
export function closeReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}

export function encode(message: AgentMessage | DeskMessage): string {
  return JSON.stringify(message);
}
