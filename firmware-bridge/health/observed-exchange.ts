import type { ReplyMeaning } from './reply-meaning.js';

/** How one request/response exchange ended. */
export type ExchangeOutcome = 'ok' | 'error_status' | 'bad_reply' | 'timeout';

/** Rejected byte sequences (garbage, bad checksum, framing) and their bytes. */
export interface LineNoise {
  sequences: number;
  bytes: number;
}

/**
 * One finished exchange with a reader, whoever made it: the settlement software (seen passing through the bridge)
 * or Guardpost's own health probe. The reader check turns a stream of these into link-error rates and reader state.
 */
export interface ObservedExchange {
  source: 'app' | 'probe';
  command: string;
  outcome: ExchangeOutcome;
  /** Request sent → reply complete, ms; null for a timeout. */
  latencyMs: number | null;
  /**
   * The request was not answered by a valid reply the first time: a timeout, a NAK, or (own probe) an attempt that had
   * to be repeated. What READER_LINK_ERRORS counts. An error status is the reader speaking, not the link failing.
   */
  failed: boolean;
  /** Attempts repeated before the reply came (own probe; a settlement software's resend is an exchange of its own). */
  retries: number;
  /**
   * Line noise while it was pending. Counted on its own: noise in front of a valid first reply costs nothing, and
   * must not make a working link look broken.
   */
  noise: LineNoise;
  reply: ReplyMeaning | null;
  /** Monotonic ms (performance.now) when it ended. */
  at: number;
}
