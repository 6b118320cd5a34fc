import { readFile } from 'node:fs/promises';

export type JsonFileRead =
  | { kind: 'missing' }
  | { kind: 'ok'; value: unknown; bytes: number }
  /** `reason` is one sentence naming the file and what is wrong with it. */
  | { kind: 'bad'; reason: string };

/** Reads and parses a JSON file without ever throwing: a missing file and an unusable one are told apart. */
export async function readJsonFile(path: string): Promise<JsonFileRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = errorCode(err);
    // ENOTDIR: a path component is a file, so this file cannot exist either (the write path reports the problem).
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    const message = messageOf(err);
    return { kind: 'bad', reason: `${path} could not be read (${code && !message.startsWith(code) ? `${code}: ` : ''}${message})` };
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (text.trim() === '') return { kind: 'bad', reason: `${path} is empty (${bytes} bytes)` };
  try {
    return { kind: 'ok', value: JSON.parse(text), bytes };
  } catch (err) {
    return { kind: 'bad', reason: `${path} is not valid JSON: ${describeJsonError(err, text.length)} (file is ${bytes} bytes)` };
  }
}

/**
 * V8's JSON errors sometimes quote the file's content; the reason ends up in logs and at the desk, so the quote is
 * dropped. An error at the very end of the file says "truncated" outright, the usual case after a crash.
 */
function describeJsonError(err: unknown, length: number): string {
  let message = messageOf(err).replace(/, ".*" is not valid JSON$/s, '');
  if (/Unexpected end of JSON input/.test(message)) message += ` at position ${length}`;
  const position = /at position (\d+)/.exec(message);
  if (position && Number(position[1]) >= length) message += ' (the file looks truncated)';
  return message;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
