import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CheckPlugin, ProbeContext } from '../checks/plugin.js';
import type { ProbeResult } from '../checks/result.js';
import type { GuardpostConfig, LoadedCheck } from '../config/load.js';
import { FaultCatalogue } from '../faults/catalogue.js';
import { FaultEngine, type EngineCheck, type PendingTransition } from '../faults/engine.js';
import type { FaultTransition, InhibitRule } from '../faults/types.js';
import { FailureLog } from '../logging/failure-log.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { Timers } from '../scheduler/timers.js';
import type { RunOutcome } from '../scheduler/types.js';
import { HistoryStore } from '../store/history.js';
import { RollupStore } from '../store/rollup/rollup-store.js';
import { StateStore } from '../store/state-store.js';
import type { HostPlatform } from '../../platform/types.js';
import { SELF_CHECK_ID, selfCheck, selfCheckResults } from './self-check.js';
import { checkStatuses, overallState, OVERALL_TEXT, sortFaults, type AgentStatus, type TunnelStatus } from './status.js';

/** How often check history is written to disk (one place: the history store); it is also written on stop. */
export { HISTORY_FLUSH_MS } from '../store/history.js';

/** What the agent announces; the page (SSE) and the desk tunnel listen. Listeners must not throw or block. */
export interface AgentEvents {
  /** A check run finished (scheduled, manual or start-up). */
  results: [checkId: string, results: ProbeResult[]];
  /** Transitions were appended to the outbox (seq assigned); `durable` false while the disk fails. */
  transitions: [transitions: FaultTransition[], durable: boolean];
}

export interface AgentOptions {
  config: GuardpostConfig;
  plugins: CheckPlugin[];
  platform: HostPlatform;
  logger: Logger;
  version: string;
  now?: () => Date;
  /** Injected by benchmarks to run the schedule faster than real time. */
  timers?: Timers;
  historyFlushMs?: number;
  /**
   * Result sources that are not scheduled checks but report into the same engine (the desk tunnel's reachability,
   * clock skew seen by the tunnel or the settlement probe). Their faults survive restarts like any check's.
   */
  sources?: EngineCheck[];
}

/**
 * The running agent: scheduler → probes → fault engine → store (state, outbox, history).
 * Data flows one way; the store alone touches disk, the engine alone decides faults.
 */
export class Agent {
  readonly startedAt = new Date();
  private readonly engineChecks = new Map<string, EngineCheck>();
  private readonly latest = new Map<string, ProbeResult[]>();
  private selfTimer?: NodeJS.Timeout;
  private stopping?: Promise<void>;
  private tunnelStatus: () => TunnelStatus = () => ({ state: 'disabled' });
  readonly events = new EventEmitter<AgentEvents>();

  private constructor(
    private readonly opts: AgentOptions,
    readonly store: StateStore,
    readonly history: HistoryStore,
    /** Daily roll-ups and fault times for the monthly report (agent/report reads them). */
    readonly rollups: RollupStore,
    readonly engine: FaultEngine,
    readonly scheduler: Scheduler,
    private readonly checks: LoadedCheck[],
    readonly catalogue: FaultCatalogue,
    private readonly failures: FailureLog,
  ) {}

  static async start(opts: AgentOptions): Promise<Agent> {
    const { config, logger } = opts;
    const now = opts.now ?? (() => new Date());
    const failures = new FailureLog(logger, now);
    let rollupsOpened: RollupStore | undefined; // opened next; an ack cannot come before the tunnel starts
    const store = await StateStore.open({
      dir: config.storage.dir,
      outbox: config.storage.outbox,
      now,
      onAcked: (seq) => rollupsOpened?.deskAcked(seq),
      onWriteError: (err) => failures.failure('state-store', err, { dir: config.storage.dir }),
    });
    const history = await HistoryStore.open({
      dir: config.storage.dir,
      limits: config.storage.history,
      ...(opts.historyFlushMs !== undefined ? { flushIntervalMs: opts.historyFlushMs } : {}),
      now,
      onWriteError: (err) => failures.failure('history-store', err, { dir: config.storage.dir }),
    });
    history.retainOnly(config.checks.map((c) => c.id));
    const rollups = await RollupStore.open({
      dir: config.storage.dir,
      months: config.storage.reportMonths,
      ...(opts.historyFlushMs !== undefined ? { flushIntervalMs: opts.historyFlushMs } : {}),
      now,
      onWriteError: (err) => failures.failure('rollup-store', err, { dir: config.storage.dir }),
    });
    rollups.noteStart();
    rollupsOpened = rollups;
    const catalogue = new FaultCatalogue(opts.plugins);
    const inhibitRules: InhibitRule[] = [...opts.plugins.flatMap((p) => p.inhibitRules ?? []), ...config.inhibitRules];
    const engine = new FaultEngine({ agentId: config.agent.id, catalogue, inhibitRules, faults: store.faults, now });
    const checks = config.checks.filter((c) => c.enabled);

    let agent: Agent | undefined;
    const scheduler = new Scheduler({
      checks: checks.map((c) => ({
        id: c.id,
        plugin: c.plugin,
        config: c.settings,
        intervalSeconds: c.intervalSeconds,
        timeoutSeconds: c.timeoutSeconds,
        jitterPercent: c.jitterPercent,
        isolated: c.plugin.isolated === true,
      })),
      ...(opts.timers ? { timers: opts.timers } : {}),
      contextFor: (checkId): ProbeContext => ({
        checkId,
        platform: opts.platform,
        state: store.checkState(checkId),
        now,
        site: config.site,
        stateDir: config.storage.dir,
      }),
      onResults: (checkId, results, run) => agent!.onResults(checkId, results, run.outcome),
      logger,
    });
    agent = new Agent(opts, store, history, rollups, engine, scheduler, checks, catalogue, failures);
    for (const c of checks) {
      const { frameworkFaults } = c.plugin;
      agent.engineChecks.set(c.id, { id: c.id, raiseAfter: c.raiseAfter, clearAfter: c.clearAfter, rules: (r) => c.plugin.rules(r, c.settings), ...(frameworkFaults ? { frameworkFaults } : {}) });
    }
    const sources = opts.sources ?? [];
    for (const src of sources) {
      if (agent.engineChecks.has(src.id) || src.id === SELF_CHECK_ID) throw new Error(`result source id "${src.id}" is already a check id`);
      agent.engineChecks.set(src.id, src);
    }

    const recovered = store.health().recovered;
    if (recovered) logger.error({ recovered }, 'state file was unreadable and has been recovered');
    await agent.record(engine.retire(new Set(checks.map((c) => c.id)), new Set([SELF_CHECK_ID, ...sources.map((x) => x.id)])));
    // One write at start-up: creates the state file and shows a bad state directory at once, not at the first fault.
    await store.commit();
    await agent.runSelfCheck();
    agent.selfTimer = setInterval(() => void agent!.runSelfCheck(), 30_000);
    agent.selfTimer.unref();
    scheduler.start().catch((err: unknown) => logger.error({ err }, 'scheduler failed to start'));
    logger.info({ agentId: config.agent.id, checks: checks.map((c) => c.id), config: config.source }, 'agent started');
    return agent;
  }

  /** Runs all or the named checks now and waits for their results to be processed. */
  async runNow(ids?: string[]): Promise<void> {
    await this.scheduler.runNow(ids);
  }

  /** Results from a registered source (AgentOptions.sources), processed like a check's. */
  async report(sourceId: string, results: ProbeResult[]): Promise<void> {
    if (!(this.opts.sources ?? []).some((s) => s.id === sourceId)) throw new Error(`unknown result source "${sourceId}"`);
    await this.onResults(sourceId, results, 'ok');
  }

  /** The desk tunnel tells the status API how it is doing. */
  setTunnelStatus(source: () => TunnelStatus): void {
    this.tunnelStatus = source;
  }

  async acknowledge(ref: string, by: string, note?: string): Promise<boolean> {
    const t = this.engine.acknowledge(ref, by, note);
    await this.record(t);
    return t.length > 0;
  }

  status(): AgentStatus {
    const faults = sortFaults(this.engine.active());
    const counts = { critical: 0, major: 0, minor: 0 };
    for (const f of faults) counts[f.severity]++;
    const overall = overallState(faults);
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    const { config, version } = this.opts;
    return {
      agent: {
        id: config.agent.id,
        version,
        profile: config.agent.profile,
        pid: process.pid,
        startedAt: this.startedAt.toISOString(),
        uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
        configSource: config.source,
        stateDir: config.storage.dir,
      },
      site: config.site,
      overall,
      overallText: OVERALL_TEXT[overall],
      counts,
      faults,
      checks: checkStatuses(this.checks, (id) => this.latest.get(id) ?? this.lastRun(id)),
      store: this.store.health(),
      tunnel: this.tunnelStatus(),
      process: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, cpuUserMs: Math.round(cpu.user / 1000), cpuSystemMs: Math.round(cpu.system / 1000) },
    };
  }

  /** The results of a check's last run: kept in memory since start, else from the persisted history. */
  private lastRun(id: string): ProbeResult[] | undefined {
    const recent = this.history.get(id).recent;
    const last = recent.at(-1);
    return last ? recent.filter((r) => r.time === last.time) : undefined;
  }

  /** Stops scheduling, lets running checks finish or abandons them, flushes state. Bounded by `graceMs`. */
  stop(graceMs = 3000): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.selfTimer);
      await this.scheduler.stop(graceMs);
      await this.history.close();
      await this.rollups.close();
      await this.store.close();
      this.opts.logger.info('agent stopped');
    })();
    return this.stopping;
  }

  private async onResults(checkId: string, results: ProbeResult[], outcome: RunOutcome): Promise<void> {
    if (this.stopping) return;
    // A hung or crashing check is logged when it starts failing and when it works again, not every cycle.
    if (outcome === 'ok') this.failures.success(`check:${checkId}`);
    else this.failures.failure(`check:${checkId}`, new Error(`${outcome}: ${results[0]?.message.en ?? ''}`), { check: checkId });
    this.latest.set(checkId, results);
    this.history.record(checkId, results);
    this.rollups.record(checkId, results);
    this.events.emit('results', checkId, results);
    const check = this.engineChecks.get(checkId);
    if (!check) return;
    await this.record(this.engine.ingest(check, results));
    await this.runSelfCheck();
  }

  private async runSelfCheck(): Promise<void> {
    const results = selfCheckResults(this.store.health(), (this.opts.now ?? (() => new Date()))());
    this.latest.set(SELF_CHECK_ID, results);
    this.rollups.record(SELF_CHECK_ID, results);
    await this.record(this.engine.ingest(selfCheck, results));
  }

  private async record(transitions: PendingTransition[]): Promise<void> {
    if (!transitions.length) return;
    const log = this.opts.logger;
    for (const t of transitions) {
      const f = t.fault;
      const fields = { code: f.code, severity: f.severity, check: f.checkId, subject: f.subject, faultId: f.id, changed: t.changed };
      if (t.kind === 'opened') log.warn(fields, `fault opened: ${f.code} ${f.title.en} (${f.subject}): ${f.detail.en}`);
      else if (t.kind === 'resolved') log.info(fields, `fault resolved: ${f.code} (${f.subject})`);
      else log.info(fields, `fault ${t.kind}: ${f.code} (${f.subject})`);
    }
    const { transitions: stored, durable } = await this.store.appendTransitions(transitions);
    this.rollups.recordTransitions(stored);
    if (durable) this.failures.success('state-store');
    this.events.emit('transitions', stored, durable);
  }
}
