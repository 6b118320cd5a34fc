import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { GuardpostConfig } from '../core/config/load.js';
import { ConfigError } from '../core/config/problems.js';
import type { EngineCheck } from '../core/faults/engine.js';
import type { TunnelStatus } from '../core/runtime/status.js';
import { Backoff, between } from './backoff.js';
import { deskConfigProblems, loadTlsMaterial } from './credentials.js';
import { DeskDialer } from './dialer.js';
import type { TunnelHost } from './host.js';
import { CLOSE, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_EVENTS, DEFAULT_WINDOW_EVENTS, MAX_DESK_FRAME_BYTES } from './protocol/constants.js';
import { chooseProxy } from './proxy.js';
import { AGENT_CERT_SOURCE_ID, agentCertSource, CertRenewal } from './cert-renewal.js';
import { DeskSession, type AssistSetup, type SessionEnd, type SessionLimits, type SessionTiming } from './session.js';
import {
  DESK_CLOCK_SOURCE_ID,
  DESK_IDENTITY_SOURCE_ID,
  DESK_PROTOCOL_SOURCE_ID,
  DESK_SOURCE_ID,
  deskClockSource,
  deskIdentitySource,
  deskProtocolSource,
  identityAcceptedResult,
  revokedResult,
  deskSource,
  protocolCleanResult,
  protocolViolationResult,
  reachableResult,
  skewResult,
  unreachableResult,
  type UnreachableGrades,
} from './sources.js';

export interface TunnelTiming extends SessionTiming {
  backoffBaseMs: number;
  backoffCapMs: number;
  /** TCP, proxy CONNECT, TLS and verification together. */
  connectTimeoutMs: number;
  /** While the desk is unreachable, how often the reachability result is reported (DESK_UNREACHABLE escalates). */
  reachabilityReportMs: number;
}

export const DEFAULT_TIMING: TunnelTiming = {
  pingMinMs: 30_000,
  pingMaxMs: 45_000,
  missedPongs: 3,
  helloTimeoutMs: 15_000,
  pokeMs: 1_000,
  backoffBaseMs: 1_000,
  backoffCapMs: 60_000,
  connectTimeoutMs: 20_000,
  reachabilityReportMs: 30_000,
};

export interface DeskTunnelOptions {
  config: Pick<GuardpostConfig, 'desk' | 'agent' | 'site' | 'source'>;
  version: string;
  logger: Logger;
  /** For HTTPS_PROXY / NO_PROXY; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Tests and benchmarks shorten these; the service runs on the defaults. */
  timing?: Partial<TunnelTiming>;
  limits?: Partial<SessionLimits>;
  /** Overrides desk.unreachable (milliseconds instead of minutes). */
  unreachable?: UnreachableGrades;
  random?: () => number;
  now?: () => Date;
  /** Remote assistance (channels, sessions, audit); absent: channel-open is refused "not_supported", no "assist" in hello. */
  assist?: AssistSetup;
}

/** Kept in the agent's state (checkState) so an agent restarted during an outage keeps counting from its start. */
interface PersistedTunnelState {
  unreachableSince?: string;
  ackedSeq?: number;
}
const STATE_KEY = 'tunnel:desk';
/** A connection that lasted this long was a good one: the next reconnect starts again from the shortest wait. */
const STABLE_MS = 10_000;

/**
 * The agent's one outbound connection to the desk: wss:// with mutual TLS, optionally through an HTTP CONNECT proxy,
 * reconnecting forever with exponential backoff and full jitter. Delivery itself is per connection (DeskSession).
 * Usage: create, pass `sources` to Agent.start, then start(agent); stop() before agent.stop().
 */
export class DeskTunnel {
  readonly sources: EngineCheck[];
  private readonly url: URL;
  private readonly timing: TunnelTiming;
  private readonly limits: SessionLimits;
  private readonly now: () => Date;
  private readonly random: () => number;
  private host?: TunnelHost;
  private session?: DeskSession;
  private dialer?: DeskDialer;
  private socket?: WebSocket;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private reportTimer?: NodeJS.Timeout;
  private lastLoggedError?: string;
  private establishedAt = 0;
  private st: TunnelStatus;
  private readonly renewal: CertRenewal | undefined;

  constructor(private readonly opts: DeskTunnelOptions) {
    const desk = opts.config.desk;
    const problems = deskConfigProblems(desk);
    if (problems.length) throw new ConfigError(opts.config.source, problems);
    this.url = new URL(desk.url!);
    if (this.url.protocol !== 'wss:') throw new ConfigError(opts.config.source, [{ path: 'desk.url', message: 'wss:// only' }]);
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.limits = { batchEvents: DEFAULT_BATCH_EVENTS, batchBytes: DEFAULT_BATCH_BYTES, windowEvents: DEFAULT_WINDOW_EVENTS, ...opts.limits };
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? Math.random;
    const grades = opts.unreachable ?? {
      // The loader fills both from the schema's defaults; the static type, made from the schema, still says optional.
      minorAfterMs: (desk.unreachable?.minorAfterMinutes ?? 10) * 60_000,
      majorAfterMs: (desk.unreachable?.majorAfterMinutes ?? 240) * 60_000,
    };
    this.sources = [deskSource(grades), deskClockSource, deskProtocolSource, deskIdentitySource, agentCertSource];
    this.renewal =
      desk.certFile && desk.keyFile
        ? new CertRenewal({
            agentId: opts.config.agent.id,
            certFile: desk.certFile,
            keyFile: desk.keyFile,
            keyHasPassphrase: desk.keyPassphrase !== undefined,
            beforeDays: desk.renewBeforeDays ?? 30,
            logger: opts.logger,
            now: this.now,
            report: (r) => this.report(AGENT_CERT_SOURCE_ID, r),
          })
        : undefined;
    this.st = { state: 'disconnected', deskUrl: this.url.href };
  }

  start(host: TunnelHost): void {
    this.host = host;
    host.setTunnelStatus(() => this.status());
    host.events.on('transitions', this.onTransitions);
    this.st.ackedSeq = this.persisted().ackedSeq;
    this.loop = this.run();
  }

  status(): TunnelStatus {
    return { ...this.st };
  }

  /** Closes the connection (1000) and stops reconnecting. Undelivered events stay in the outbox. */
  async stop(): Promise<void> {
    if (this.stopped) return this.loop;
    this.stopped = true;
    clearInterval(this.reportTimer);
    this.host?.events.off('transitions', this.onTransitions);
    this.wake?.();
    this.dialer?.abort();
    if (this.session) this.session.close(CLOSE.normal, 'agent stopping');
    else this.socket?.terminate();
    await this.loop;
  }

  private readonly onTransitions = (): void => this.session?.pump();

  private async run(): Promise<void> {
    const backoff = new Backoff(this.timing.backoffBaseMs, this.timing.backoffCapMs, this.random);
    // A fleet restarted together (a power cut at a site) should not connect in the same instant.
    await this.sleep(between(0, Math.min(this.timing.backoffBaseMs, 1000), this.random));
    while (!this.stopped) {
      this.st = { ...this.st, state: 'connecting' };
      let end: SessionEnd;
      try {
        end = await this.connectOnce();
      } catch (err) {
        end = { established: false, code: 0, reason: (err as Error).message };
      }
      this.session = undefined;
      this.socket = undefined;
      this.renewal?.disconnected();
      this.dialer?.abort();
      if (this.stopped) break;
      // A session that ended by a protocol violation raises DESK_PROTOCOL_VIOLATION; one that lasted and ended
      // otherwise clears it (a desk that floods after its hello must not clear it by saying hello).
      if (end.violation) await this.report(DESK_PROTOCOL_SOURCE_ID, protocolViolationResult(this.now(), this.url.href, end.violation.code, end.violation.reason));
      else if (end.established && Date.now() - this.establishedAt >= STABLE_MS) await this.report(DESK_PROTOCOL_SOURCE_ID, protocolCleanResult(this.now(), this.url.href));
      // A revoked certificate is the desk's word on this terminal's identity; an accepted session takes it back.
      if (end.code === CLOSE.revoked) await this.report(DESK_IDENTITY_SOURCE_ID, revokedResult(this.now(), this.url.href, end.reason));
      else if (end.established) await this.report(DESK_IDENTITY_SOURCE_ID, identityAcceptedResult(this.now(), this.url.href));
      const { connectedSince: _c, ...rest } = this.st;
      this.st = { ...rest, state: 'disconnected', lastError: end.reason };
      // Only a connection that lasted resets the backoff: two agents sharing one certificate replace each other
      // at once, and must not do so in a tight loop.
      if (end.established && Date.now() - this.establishedAt >= STABLE_MS) backoff.reset();
      const wait = backoff.next();
      if (end.reason !== this.lastLoggedError) this.opts.logger.warn({ reason: end.reason, retryInMs: wait }, 'desk not connected');
      else this.opts.logger.debug({ reason: end.reason, retryInMs: wait }, 'desk still not connected');
      this.lastLoggedError = end.reason;
      await this.markUnreachable(end.reason);
      await this.sleep(wait);
    }
  }

  private async connectOnce(): Promise<SessionEnd> {
    const desk = this.opts.config.desk;
    const tls = loadTlsMaterial(desk);
    const proxy = chooseProxy(this.url, desk, this.opts.env ?? process.env);
    const host = this.url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(this.url.port || 443);
    this.dialer = new DeskDialer({ host, port, proxy, tls, timeoutMs: this.timing.connectTimeoutMs });
    const ws = new WebSocket(this.url, {
      agent: this.dialer,
      perMessageDeflate: false,
      maxPayload: MAX_DESK_FRAME_BYTES,
      handshakeTimeout: this.timing.connectTimeoutMs,
      headers: { 'User-Agent': `guardpost-agent/${this.opts.version}` },
    });
    this.socket = ws;
    ws.on('error', () => undefined); // every error also closes; the session or the promise below reports it
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        // With TLS 1.3 the desk checks our certificate after the handshake looked complete to us: a reset then
        // most likely means it refused the certificate.
        const hint = this.dialer?.verified && /socket hang up|ECONNRESET|EPIPE/.test(err.message) ? ' (the desk closed the connection after TLS: is this agent\'s certificate issued by the desk CA and still valid?)' : '';
        reject(new Error(`${err.message}${hint}`));
      };
      ws.once('error', onError);
      ws.once('open', () => {
        ws.off('error', onError);
        resolve();
      });
    });
    if (this.stopped) {
      ws.terminate();
      return { established: false, code: CLOSE.normal, reason: 'agent stopping' };
    }
    const host_ = this.host!;
    const session = new DeskSession(ws, {
      host: host_,
      logger: this.opts.logger,
      agentId: this.opts.config.agent.id,
      agentVersion: this.opts.version,
      site: this.opts.config.site,
      profile: this.opts.config.agent.profile,
      lastAckedSeq: this.st.ackedSeq ?? 0,
      timing: this.timing,
      limits: this.limits,
      random: this.random,
      now: this.now,
      onEstablished: (_hello, skew, rtt) => this.onEstablished(skew, rtt),
      onSkew: (skew, rtt) => void this.report(DESK_CLOCK_SOURCE_ID, skewResult(this.now(), skew, rtt)),
      onAcked: (seq) => this.onAcked(seq),
      onContact: () => void (this.st.lastContactAt = this.now().toISOString()),
      ...(this.opts.assist ? { assist: this.opts.assist } : {}),
      ...(this.renewal ? { renewal: this.renewal } : {}),
    });
    this.session = session;
    return session.run();
  }

  private async onEstablished(skewSeconds: number, rttMs: number): Promise<void> {
    const now = this.now();
    this.establishedAt = Date.now();
    this.st = { state: 'connected', deskUrl: this.url.href, connectedSince: now.toISOString(), lastContactAt: now.toISOString(), ...(this.st.ackedSeq !== undefined ? { ackedSeq: this.st.ackedSeq } : {}) };
    if (this.lastLoggedError !== undefined) this.opts.logger.info({ desk: this.url.href }, 'desk connected again');
    else this.opts.logger.info({ desk: this.url.href }, 'desk connected');
    this.lastLoggedError = undefined;
    clearInterval(this.reportTimer);
    this.reportTimer = undefined;
    const state = this.persisted();
    if (state.unreachableSince) this.persist({ ...state, unreachableSince: undefined });
    await this.report(DESK_SOURCE_ID, reachableResult(now, this.url.href));
    await this.report(DESK_CLOCK_SOURCE_ID, skewResult(now, skewSeconds, rttMs));
  }

  private onAcked(seq: number): void {
    this.st.ackedSeq = seq;
    const state = this.persisted();
    if (state.ackedSeq !== seq) this.persist({ ...state, ackedSeq: seq });
  }

  /** Starts (or continues) the unreachable period and reports it; repeated while disconnected so the grade can rise. */
  private async markUnreachable(reason: string): Promise<void> {
    const state = this.persisted();
    let since = state.unreachableSince ? new Date(state.unreachableSince) : undefined;
    if (!since || Number.isNaN(since.getTime())) {
      since = this.now();
      this.persist({ ...state, unreachableSince: since.toISOString() });
    }
    const at = since;
    const report = () => this.report(DESK_SOURCE_ID, unreachableResult(this.now(), at, this.url.href, this.st.lastError ?? reason));
    if (!this.reportTimer) {
      this.reportTimer = setInterval(() => void report(), this.timing.reachabilityReportMs);
      this.reportTimer.unref();
    }
    await report();
  }

  private async report(source: string, result: Parameters<TunnelHost['report']>[1][number]): Promise<void> {
    if (this.stopped || !this.host) return;
    try {
      await this.host.report(source, [result]);
    } catch (err) {
      this.opts.logger.error({ err, source }, 'reporting a tunnel observation failed');
    }
  }

  private persisted(): PersistedTunnelState {
    return this.host?.store.checkState(STATE_KEY).get<PersistedTunnelState>() ?? {};
  }

  private persist(state: PersistedTunnelState): void {
    const clean: PersistedTunnelState = {};
    if (state.unreachableSince) clean.unreachableSince = state.unreachableSince;
    if (state.ackedSeq !== undefined) clean.ackedSeq = state.ackedSeq;
    this.host?.store.checkState(STATE_KEY).set(clean);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}
