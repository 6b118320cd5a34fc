import type { Evidence } from '../../../core/checks/result.js';
import type { ResolvedEndpoint } from '../endpoint.js';
import { Deadline, PhaseTimer } from '../net/deadline.js';
import { ProbeFailure } from '../net/failure.js';
import { proxyFor, type ProxyRoute, type ProxySettings } from '../net/proxy-connect.js';
import { chainOf } from '../net/tls-handshake.js';
import type { CaStore } from '../net/trust.js';

/** What every kind of probe needs besides its endpoint. */
export interface ProbeEnv {
  signal: AbortSignal;
  /** Environment for HTTPS_PROXY / NO_PROXY (the agent's own by default; injectable for tests). */
  env: NodeJS.ProcessEnv;
  proxy: ProxySettings;
  cas: CaStore;
  now: () => Date;
}

/** The HTTP answer's facts other parts use: the clock-skew reference and the sign-in reply. */
export interface AnswerFacts {
  status: number;
  date?: string;
  firstByteAt: number;
  text: string;
}

/** What one probe of one endpoint found: the one shape all kinds return. */
export interface EndpointOutcome {
  /** 'ok' or a reason from the closed list. */
  reason: string;
  phases: Record<string, number>;
  totalMs: number;
  evidence: Evidence;
  /** The server's certificates (DER, leaf first) when a TLS handshake got that far, for the certificate engine. */
  chain?: Buffer[];
  answer?: AnswerFacts;
}

export interface ProbeBodyResult {
  evidence: Evidence;
  chain?: Buffer[];
  answer?: AnswerFacts;
  /** A failure found after the exchange (status, body): reported with everything measured. */
  failure?: { reason: string; evidence: Evidence };
}

/**
 * Runs one kind's probe body inside the endpoint's time budget and phase timer, and turns a ProbeFailure into an
 * outcome. Anything else (an abandoned run, a bug) propagates: the framework reports it.
 */
export async function runProbe(ep: ResolvedEndpoint, env: ProbeEnv, body: (deadline: Deadline, timer: PhaseTimer) => Promise<ProbeBodyResult>): Promise<EndpointOutcome> {
  const deadline = new Deadline(env.signal, ep.timeoutMs);
  const timer = new PhaseTimer();
  try {
    const r = await body(deadline, timer);
    const out: EndpointOutcome = { reason: r.failure?.reason ?? 'ok', phases: timer.phases, totalMs: timer.totalMs(), evidence: { ...r.evidence, ...r.failure?.evidence } };
    if (r.chain) out.chain = r.chain;
    if (r.answer) out.answer = r.answer;
    return out;
  } catch (err) {
    if (!(err instanceof ProbeFailure)) throw err;
    const out: EndpointOutcome = { reason: err.reason, phases: timer.phases, totalMs: timer.totalMs(), evidence: err.evidence };
    const chain = chainOf(err);
    if (chain) out.chain = chain;
    return out;
  } finally {
    deadline.dispose();
  }
}

/** The proxy for this endpoint's host, or null; `secure` as for proxyFor. */
export function routeFor(ep: ResolvedEndpoint, host: string, port: number, secure: boolean, env: ProbeEnv): ProxyRoute | null {
  return ep.useProxy ? proxyFor(host, port, secure, env.proxy, env.env) : null;
}

/** Evidence naming the proxy used, without credentials. */
export function proxyEvidence(route: ProxyRoute | null): Evidence {
  return route ? { proxy: route.display, proxySource: route.source } : {};
}
