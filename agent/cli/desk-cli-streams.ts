import type { Writable } from 'node:stream';
import type { Lang } from '../core/text.js';
import type { AssistClient } from '../../desk/client/assist-client.js';
import type { CliIO } from './io.js';

/**
 * What the interactive desk-cli commands (assist, diag, forward) need beyond CliIO: the engineer's terminal as
 * streams (raw mode, window size), and Ctrl-C / SIGTERM / SIGWINCH as callbacks, so a test can drive them in-process
 * with pipes and its own "signals".
 */
export interface TerminalIn extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

export interface TerminalOut extends Writable {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface DeskCliStreams {
  stdin: TerminalIn;
  stdout: TerminalOut;
  /** Ctrl-C or SIGTERM; returns how to stop listening. */
  onInterrupt(fn: () => void): () => void;
  /** The terminal's window changed size (SIGWINCH); returns how to stop listening. */
  onResize(fn: () => void): () => void;
}

export const processStreams: DeskCliStreams = {
  stdin: process.stdin,
  stdout: process.stdout,
  onInterrupt(fn) {
    process.on('SIGINT', fn);
    process.on('SIGTERM', fn);
    return () => {
      process.off('SIGINT', fn);
      process.off('SIGTERM', fn);
    };
  },
  onResize(fn) {
    process.stdout.on('resize', fn); // Node turns SIGWINCH into 'resize' on a TTY stdout
    return () => void process.stdout.off('resize', fn);
  },
};

/** Everything an assistance subcommand gets from desk-cli-command.ts. */
export interface AssistCliContext {
  client: AssistClient;
  io: CliIO;
  lang: Lang;
  json: boolean;
  streams: DeskCliStreams;
}

/** An AbortSignal fired by the first interrupt (Ctrl-C, SIGTERM), and how to stop listening. */
export function interruptSignal(streams: DeskCliStreams): { signal: AbortSignal; release: () => void } {
  const ac = new AbortController();
  const release = streams.onInterrupt(() => ac.abort());
  return { signal: ac.signal, release };
}
