import type { Evidence } from '../../core/checks/result.js';
import { Deadline, PhaseTimer } from '../deadline.js';
import { ProbeFailure } from '../failure.js';
import { proxyFor, type ProxyRoute, type ProxySettings } from '../proxy-choice.js';
import type { NetReason } from '../reasons.js';
import type { IpFamily } from '../resolve.js';
import { chainOf } from '../tls-handshake.js';
import type { CaStore, TrustSettings } from '../trust.js';

export type ProbeKind = 'http' | 'tls' | 'tcp' | 'dns';

/** What to probe and how, with every default filled (a check's endpoint settings, compiled once). */
export interface ProbeTarget {
  kind: ProbeKind;
  /** For kind http. */
  url: URL | null;
  /** For kinds dns, tcp, tls; for http the URL's host (IPv6 without brackets) and port. */
  host: string;
  port: number;
  method: string;
  headers: Record<string, string>;
  body: Buffer | null;
  /** Status codes that count as success; empty: any. */
  expectStatus: number[];
  bodyMatch: RegExp | null;
  bodyNotMatch: RegExp | null;
  followRedirects: boolean;
  maxRedirects: number;
  /** The whole probe's budget, every phase included. */
  timeoutMs: number;
  trust: TrustSettings;
  ipFamily: IpFamily;
  /** Go through the proxy the settings choose for this host (false: always direct). */
  useProxy: boolean;
  /** Body bytes kept for bodyMatch / bodyNotMatch (the rest is read and counted). */
  maxBodyBytes: number;
  /** Config path for error messages, e.g. `checks.settlement.endpoints[0] ("platform")`. */
  where: string;
}

/** What every kind of probe needs besides its target. */
export interface ProbeEnv {
  signal: AbortSignal;
  /** Environment for HTTPS_PROXY / NO_PROXY (the agent's own by default; injectable for tests). */
  env: NodeJS.ProcessEnv;
  proxy: ProxySettings;
  cas: CaStore;
  now: () => Date;
}

/** The HTTP answer's facts other parts use: a clock reference (Date) and the body (e.g. a sign-in reply). */
export interface AnswerFacts {
  status: number;
  date?: string;
  firstByteAt: number;
  text: string;
}

/** What one probe of one target found: the one shape all kinds return. */
export interface ProbeOutcome {
  /** 'ok' or a reason from the closed list (../reasons.ts). */
  reason: 'ok' | NetReason;
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
  failure?: { reason: NetReason; evidence: Evidence };
}

/**
 * Runs one kind's probe body inside the target's time budget and phase timer, and turns a ProbeFailure into an
 * outcome. Anything else (an abandoned run, a bug) propagates: the framework reports it.
 */
export async function runProbe(target: ProbeTarget, env: ProbeEnv, body: (deadline: Deadline, timer: PhaseTimer) => Promise<ProbeBodyResult>): Promise<ProbeOutcome> {
  const deadline = new Deadline(env.signal, target.timeoutMs);
  const timer = new PhaseTimer();
  try {
    const r = await body(deadline, timer);
    const out: ProbeOutcome = { reason: r.failure?.reason ?? 'ok', phases: timer.phases, totalMs: timer.totalMs(), evidence: { ...r.evidence, ...r.failure?.evidence } };
    if (r.chain) out.chain = r.chain;
    if (r.answer) out.answer = r.answer;
    return out;
  } catch (err) {
    if (!(err instanceof ProbeFailure)) throw err;
    const out: ProbeOutcome = { reason: err.reason, phases: timer.phases, totalMs: timer.totalMs(), evidence: err.evidence };
    const chain = chainOf(err);
    if (chain) out.chain = chain;
    return out;
  } finally {
    deadline.dispose();
  }
}

/** The proxy for this target's host, or null; `secure` when TLS runs inside the tunnel (tcp and tls count too). */
export function routeFor(target: ProbeTarget, host: string, port: number, secure: boolean, env: ProbeEnv): ProxyRoute | null {
  return target.useProxy ? proxyFor({ host, port, secure }, env.proxy, env.env) : null;
}

/** Evidence naming the proxy used, without credentials. */
export function proxyEvidence(route: ProxyRoute | null): Evidence {
  return route ? { proxy: route.display, proxySource: route.source } : {};
}
