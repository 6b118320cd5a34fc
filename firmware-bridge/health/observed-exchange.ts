import type { ReplyMeaning } from './reply-meaning.js';

/** How one request/response exchange ended. */
export type ExchangeOutcome = 'ok' | 'error_status' | 'bad_reply' | 'timeout';

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
  /** Rejected byte sequences (bad checksum, framing, garbage) and NAKs seen while it was pending. */
  linkErrors: number;
  /** A timeout or corrupted bytes: what READER_LINK_ERRORS counts. An error status is the reader speaking, not the link. */
  linkError: boolean;
  reply: ReplyMeaning | null;
  /** Monotonic ms (performance.now) when it ended. */
  at: number;
}
