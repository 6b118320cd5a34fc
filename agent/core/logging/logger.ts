import pino, { type DestinationStream, type Logger, type StreamEntry } from 'pino';
import { REDACT_CENSOR, redactPaths } from './redaction.js';
import { RotatingFileDestination } from './rotating-file.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface LoggerOptions {
  level: LogLevel;
  /** Log file; null or absent logs to stdout only. Its directory is created when missing. */
  file?: string | null;
  /** Size at which the file is rotated (fractions allowed). */
  maxSizeMB: number;
  /** Rotated files kept: agent.log.1 … agent.log.N. */
  maxFiles: number;
  stdout: boolean;
}

/**
 * The agent's logger: JSON lines to a size-rotated file and/or stdout, secrets redacted.
 * Everything is written from the main thread (no pino transport worker), to keep the agent's RSS small.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const streams: DestinationStream[] = [];
  if (opts.file) {
    streams.push(new RotatingFileDestination({ file: opts.file, maxBytes: opts.maxSizeMB * 1024 * 1024, maxFiles: opts.maxFiles }));
  }
  if (opts.stdout) streams.push(pino.destination({ fd: 1, sync: true }));

  const options = {
    level: opts.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor: REDACT_CENSOR },
  };
  if (streams.length === 0) return pino({ ...options, enabled: false });
  if (streams.length === 1) return pino(options, streams[0]);
  const entries: StreamEntry[] = streams.map((stream) => ({ level: opts.level, stream }));
  return pino(options, pino.multistream(entries));
}
