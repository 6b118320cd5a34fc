import type { Evidence } from '../core/checks/result.js';
import type { NetReason } from './reasons.js';

/** The steps of a probe, in the order they run. `proxy` is the CONNECT exchange with a proxy. */
export type Phase = 'dns' | 'connect' | 'proxy' | 'tls' | 'send' | 'firstByte' | 'body';

/**
 * A step failed for a reason from the closed list (reasons.ts). Evidence carries the error code and what was
 * known, never raw exception text; `message` is for people (logs, the tunnel's last error) and never holds a
 * credential. Without one the message is the reason.
 */
export class ProbeFailure extends Error {
  constructor(
    readonly reason: NetReason,
    readonly evidence: Evidence = {},
    message: string = reason,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

/** An error's code (ECONNREFUSED, ERR_SSL_..., HPE_...) or a short message: safe evidence, never a stack. */
export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code) return code;
  return err instanceof Error ? err.message.slice(0, 120) : String(err).slice(0, 120);
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN', 'EAFNOSUPPORT']);

/** The reason for a socket error after DNS: what the connection attempt or the open connection ran into. */
export function socketFailureReason(err: unknown, connected: boolean): NetReason {
  const code = codeOf(err);
  if (code === 'ECONNREFUSED') return 'tcp_refused';
  if (code === 'ETIMEDOUT') return connected ? 'response_timeout' : 'tcp_timeout';
  if (UNREACHABLE.has(code)) return 'tcp_unreachable';
  // Node reports a peer that closed without answering as ECONNRESET "socket hang up"; a real RST reads "read ECONNRESET".
  if (code === 'ECONNRESET' && (err as Error).message === 'socket hang up') return 'connection_closed';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'tcp_reset';
  if (code.startsWith('HPE_')) return 'http_bad_response';
  return connected ? 'connection_closed' : 'tcp_unreachable';
}
