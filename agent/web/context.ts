import { randomBytes, randomUUID } from 'node:crypto';
import type { Agent } from '../core/runtime/agent.js';
import type { AgentStatus } from '../core/runtime/status.js';
import type { Text } from '../core/text.js';
import type { ConsentBroker, ConsentSession } from './consent-broker.js';
import { checkViews, faultViews, historyEntries, openedSeqs } from './page-model.js';
import type { CheckView, ConsentView, FaultView, HistoryEntry, ManualRun, Snapshot } from './schemas/views.js';
import { TransitionRing } from './transition-ring.js';

/** What the page needs of the agent; the real Agent in production and tests. */
export type PageAgent = Pick<Agent, 'status' | 'events' | 'runNow' | 'catalogue' | 'store' | 'rollups'>;

/** Where the page logs what people did on it (approvals, manual runs); the agent's pino logger fits. */
export interface PageLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const HISTORY_LIMIT = 50;

export interface WebContextOptions {
  agent: PageAgent;
  consent: ConsentBroker;
  checkTitles: ReadonlyMap<string, Text>;
  logger?: PageLogger;
}

/**
 * The state one page server shares between its plugins: the agent, the consent broker, the per-start secrets,
 * the recent transitions and the manual run. One per server; nothing global.
 */
export class WebContext {
  /** Per start: the page reloads itself when it sees another (the CSRF token changed with it). */
  readonly instance = randomUUID();
  /** Per start, embedded in the page; every state-changing request must carry it. */
  readonly csrfToken = randomBytes(32).toString('base64url');
  /** Per start, written 0600 to the state directory for `guardpost assist` (see cli-token.ts); never in the page. */
  readonly cliToken = randomBytes(32).toString('base64url');
  readonly ring = new TransitionRing(HISTORY_LIMIT);
  readonly agent: PageAgent;
  readonly consent: ConsentBroker;
  readonly logger: PageLogger;
  private readonly titles: ReadonlyMap<string, Text>;
  private run: ManualRun = { running: false };
  private rev = 0;
  private readonly listeners = new Set<() => void>();
  private readonly detach: Array<() => void> = [];

  constructor(opts: WebContextOptions) {
    this.agent = opts.agent;
    this.consent = opts.consent;
    this.titles = opts.checkTitles;
    this.logger = opts.logger ?? { info: () => undefined, warn: () => undefined };
    // What happened before the page started and is not yet acked; later acks would otherwise drop it from history.
    this.ring.push(this.agent.store.pendingTransitions().slice(-HISTORY_LIMIT));
    const onTransitions = (list: Parameters<typeof this.ring.push>[0]) => {
      this.ring.push(list);
      this.changed();
    };
    const onResults = () => this.changed();
    const onConsent = (s: ConsentSession) => {
      this.logger.info({ session: s.id, state: s.state, engineer: s.engineer, by: s.decidedBy ?? s.endedBy }, `remote assistance ${s.state}`);
      this.changed();
    };
    this.agent.events.on('transitions', onTransitions);
    this.agent.events.on('results', onResults);
    this.consent.events.on('changed', onConsent);
    this.detach.push(
      () => this.agent.events.off('transitions', onTransitions),
      () => this.agent.events.off('results', onResults),
      () => this.consent.events.off('changed', onConsent),
    );
  }

  /** Called whenever the page state may have changed. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get manualRun(): ManualRun {
    return this.run;
  }

  /** Starts a manual run of all or the named checks unless one is running; resolves when it has finished. */
  runChecks(ids: string[] | undefined, by: string): { started: boolean; done: Promise<void> } {
    if (this.run.running) return { started: false, done: Promise.resolve() };
    this.run = { running: true, startedAt: new Date().toISOString() };
    this.logger.info({ checks: ids ?? 'all', by }, 'checks run on request from the local page');
    this.changed();
    const done = this.agent
      .runNow(ids)
      .then(
        () => void (this.run = { running: false, startedAt: this.run.startedAt!, finishedAt: new Date().toISOString() }),
        (err: unknown) =>
          void (this.run = { running: false, startedAt: this.run.startedAt!, finishedAt: new Date().toISOString(), error: (err as Error).message }),
      )
      .finally(() => this.changed());
    return { started: true, done };
  }

  snapshot(): Snapshot {
    const status = this.agent.status();
    const { faults: _faults, checks: _checks, ...rest } = status;
    return {
      instance: this.instance,
      rev: ++this.rev,
      generatedAt: new Date().toISOString(),
      status: rest,
      faults: this.faultViews(status),
      checks: this.checkViews(status),
      history: this.history(status, HISTORY_LIMIT),
      consent: this.consentView(),
      run: this.run,
    };
  }

  faultViews(status: AgentStatus): FaultView[] {
    return faultViews(status.faults, this.agent.catalogue, status.tunnel, openedSeqs(this.agent.store.pendingTransitions(), this.ring.list()));
  }

  checkViews(status: AgentStatus): CheckView[] {
    return checkViews(status.checks, this.titles);
  }

  history(status: AgentStatus, limit: number): HistoryEntry[] {
    return historyEntries(this.agent.store.pendingTransitions(), this.ring.list(), status.tunnel, limit);
  }

  consentView(): ConsentView {
    return { live: this.consent.live() ?? null, recent: this.consent.recent() };
  }

  close(): void {
    for (const d of this.detach.splice(0)) d();
    this.listeners.clear();
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
