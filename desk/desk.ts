import type { FastifyInstance } from 'fastify';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { createLogger } from '../agent/core/logging/logger.js';
import { startEngineerApi } from './api/engineer-api.js';
import { AssistHub } from './assist/assist-hub.js';
import { loadDeskConfig, type DeskConfig } from './config.js';
import { deskFiles } from './desk-files.js';
import { createPrivateFile, PRIVATE_DIR, tightenAll } from './file-modes.js';
import { ConfigError } from '../agent/core/config/problems.js';
import { NotifyConfigError } from './notify/secrets.js';
import { parseNotifyConfig, type NotifyConfig } from './notify/notify-config.js';
import { NotifyService } from './notify/notify-service.js';
import { EMAIL_KIND } from './notify/email-kind.js';
import { faultAction } from './notify/fault-actions.js';
import { startEnrollServer } from './enroll/enroll-server.js';
import type { CloseCode } from '../agent/tunnel/protocol/constants.js';
import { AgentLimits } from './server/agent-limits.js';
import { AgentListener } from './server/agent-listener.js';
import { IngestQueue } from './server/ingest-queue.js';
import type { AgentSession } from './server/agent-session.js';
import { SessionRegistry } from './server/session-registry.js';
import { SqliteDeskStore } from './store/sqlite-store.js';
import type { DeskStore } from './store/types.js';

/** Rotated log files kept besides desk.log. */
const LOG_FILES = 5;

export interface DeskStartOptions {
  dir: string;
  /** Overrides parts of desk.json (tests use port 0 and short timeouts). */
  override?: (c: DeskConfig) => DeskConfig;
  logger?: Logger;
  now?: () => Date;
  /** Serve the engineer API (default true). */
  api?: boolean;
  /** Where notification secrets named by FIELDEnv come from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** desk.json's notify section, validated and its secrets read; its problems read like the rest of desk.json's. */
function notifyConfig(config: DeskConfig, env: NodeJS.ProcessEnv): NotifyConfig | undefined {
  try {
    return parseNotifyConfig(config.notify, { dir: config.dir, env, respondMinutes: config.targets.respondMinutes, extraKinds: { email: EMAIL_KIND } });
  } catch (err) {
    if (err instanceof NotifyConfigError) throw new ConfigError(config.source, [{ path: err.path, message: err.what }]);
    throw err;
  }
}

/** The reference central desk: the agents' endpoint, the store, and the engineer API. */
export class Desk {
  private constructor(
    readonly config: DeskConfig,
    readonly store: DeskStore,
    readonly queue: IngestQueue,
    readonly registry: SessionRegistry<AgentSession>,
    /** Remote assistance: requests, sessions and the relay of their channels. */
    readonly assist: AssistHub,
    /** Notifications: planning, sending, channel health. */
    readonly notify: NotifyService,
    private readonly listener: AgentListener,
    private readonly api: FastifyInstance | undefined,
    private readonly enrollServer: FastifyInstance | undefined,
    readonly agentsPort: number,
    readonly apiPort: number | undefined,
    /** Where terminals enroll (undefined: desk.json has no enroll section). */
    readonly enrollPort: number | undefined,
    readonly logger: Logger,
  ) {}

  static async start(opts: DeskStartOptions): Promise<Desk> {
    let config = loadDeskConfig(opts.dir);
    if (opts.override) config = opts.override(config);
    // Owner-only before anything is opened: desks made before this (umask 022) are tightened, new files made so.
    const files = deskFiles(config, LOG_FILES);
    const tightened = tightenAll(files.files, files.dirs);
    if (!opts.logger) {
      mkdirSync(dirname(config.log.file), { recursive: true, mode: PRIVATE_DIR });
      createPrivateFile(config.log.file);
    }
    const logger =
      opts.logger ??
      createLogger({ level: config.log.level as 'info', file: config.log.file, maxSizeMB: 10, maxFiles: LOG_FILES, stdout: config.log.stdout });
    if (tightened.length) logger.warn({ files: tightened }, 'made owner-only (they were readable by group or others)');
    const now = opts.now ?? (() => new Date());
    const notifyCfg = notifyConfig(config, opts.env ?? process.env);
    const store = new SqliteDeskStore(config.database, config.limits);
    store.markAllOffline(now().toISOString());
    // Sessions a previous run left live ended when their tunnels dropped (the agent ends them then): say so.
    const leftLive = store.assist.endLeftLive(now().toISOString(), 'desk-restart');
    if (leftLive) logger.warn({ requests: leftLive }, 'remote-assistance requests left live by the previous run marked ended (desk-restart)');
    const queue = new IngestQueue(store, logger);
    const registry = new SessionRegistry<AgentSession>();
    const limits = new AgentLimits(config.limits);
    const assist = new AssistHub({ store: store.assist, findAgent: (id) => registry.get(id), organisation: config.organisation, logger, now });
    const listener = new AgentListener({ queue, store, registry, config, limits, logger, now, assist });
    const notify = new NotifyService({
      store,
      config: notifyCfg,
      now,
      logger,
      actionOf: faultAction,
      // One ticket per occurrence, opened and resolved in the transaction that plans its notices.
      hooks: {
        onNew: (f, at) => void store.tickets.openForFault({ agentId: f.agentId, faultId: f.id, code: f.code, severity: f.severity, siteCode: f.siteCode, title: { zh: f.titleZh, en: f.titleEn } }, at),
        onResolved: (f, at) => void store.tickets.faultResolved(f.agentId, f.id, at),
      },
    });
    queue.onCommit = () => notify.wake();
    store.tickets.onStep = (ticket, step) => notify.ticketStep(ticket, step);
    let api: FastifyInstance | undefined;
    let apiPort: number | undefined;
    let enroll: { app: FastifyInstance; port: number } | undefined;
    try {
      const agentsPort = await listener.listen(config.agents.host, config.agents.port);
      if (config.enroll) enroll = await startEnrollServer({ store, config: { ...config, enroll: config.enroll }, now, logger });
      if (opts.api !== false) {
        const started = await startEngineerApi(
          {
            store,
            config,
            now,
            logger,
            assist,
            notify,
            agentsPort,
            ...(enroll ? { enrollPort: enroll.port } : {}),
            disconnect: (agentId, code, reason) => {
              const s = registry.get(agentId);
              if (!s) return false;
              s.close(code as CloseCode, reason);
              return true;
            },
            deliverAck: (ack) => {
              const s = registry.get(ack.agentId);
              if (!s?.ready) return false;
              s.sendFaultAck(ack);
              return true;
            },
          },
          config.api.host,
          config.api.port,
        );
        api = started.app;
        apiPort = started.port;
      }
      notify.start();
      const channels = notifyCfg ? [...notifyCfg.channels.keys()] : [];
      logger.info({ agents: `${config.agents.host}:${agentsPort}`, api: apiPort && `${config.api.host}:${apiPort}`, enroll: enroll && `${config.enroll!.host}:${enroll.port}`, database: config.database, notify: channels }, 'desk started');
      return new Desk(config, store, queue, registry, assist, notify, listener, api, enroll?.app, agentsPort, apiPort, enroll?.port, logger);
    } catch (err) {
      await notify.stop();
      await api?.close().catch(() => undefined);
      await enroll?.app.close().catch(() => undefined);
      await listener.close().catch(() => undefined);
      store.close();
      throw err;
    }
  }

  /** Closes agent connections (1001), commits what is queued, closes the database. */
  async stop(): Promise<void> {
    // Long polls answer and engineers' sockets close first, or the API would wait for them.
    this.assist.close();
    await this.api?.close().catch(() => undefined);
    await this.enrollServer?.close().catch(() => undefined);
    await this.listener.close();
    this.queue.drain();
    await this.notify.stop();
    this.store.close();
    this.logger.info('desk stopped');
  }
}
