/**
 * A diag channel carries one answer: a JSON header line, then the body. The header says whether the action ran and
 * what the body is; a refusal (unknown action, bad arguments) is a header with `ok: false` and the reason, after
 * which the agent closes the channel "bad_params". The engineer → agent direction carries nothing: the action and
 * its arguments travel in channel-open params (`action`, and `args` as a JSON string).
 */
export type DiagHeader =
  | { ok: true; action: string; contentType: 'application/json' | 'text/plain' | 'text/html' | 'application/gzip'; fileName?: string }
  | { ok: false; action: string; error: string };

export function encodeDiagHeader(h: DiagHeader): Buffer {
  return Buffer.from(`${JSON.stringify(h)}\n`);
}

/** Splits a complete diag answer into its header and body; throws naming what is wrong when it is no answer. */
export function splitDiagAnswer(bytes: Buffer): { header: DiagHeader; body: Buffer } {
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) throw new Error('diag answer: no header line');
  let header: unknown;
  try {
    header = JSON.parse(bytes.subarray(0, nl).toString('utf8'));
  } catch {
    throw new Error('diag answer: the header line is not JSON');
  }
  if (!header || typeof header !== 'object' || typeof (header as DiagHeader).ok !== 'boolean') throw new Error('diag answer: the header has no "ok"');
  return { header: header as DiagHeader, body: bytes.subarray(nl + 1) };
}
