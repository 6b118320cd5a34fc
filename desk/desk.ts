import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from '../agent/core/logging/logger.js';
import { startEngineerApi } from './api/engineer-api.js';
import { loadDeskConfig, type DeskConfig } from './config.js';
import { AgentListener } from './server/agent-listener.js';
import { IngestQueue } from './server/ingest-queue.js';
import { SessionRegistry } from './server/session-registry.js';
import { SqliteDeskStore } from './store/sqlite-store.js';
import type { DeskStore } from './store/types.js';

export interface DeskStartOptions {
  dir: string;
  /** Overrides parts of desk.json (tests use port 0 and short timeouts). */
  override?: (c: DeskConfig) => DeskConfig;
  logger?: Logger;
  now?: () => Date;
  /** Serve the engineer API (default true). */
  api?: boolean;
}

/** The reference central desk: the agents' endpoint, the store, and the engineer API. */
export class Desk {
  private constructor(
    readonly config: DeskConfig,
    readonly store: DeskStore,
    readonly queue: IngestQueue,
    readonly registry: SessionRegistry,
    private readonly listener: AgentListener,
    private readonly api: FastifyInstance | undefined,
    readonly agentsPort: number,
    readonly apiPort: number | undefined,
    readonly logger: Logger,
  ) {}

  static async start(opts: DeskStartOptions): Promise<Desk> {
    let config = loadDeskConfig(opts.dir);
    if (opts.override) config = opts.override(config);
    const logger =
      opts.logger ??
      createLogger({ level: config.log.level as 'info', file: config.log.file, maxSizeMB: 10, maxFiles: 5, stdout: config.log.stdout });
    const now = opts.now ?? (() => new Date());
    const store = new SqliteDeskStore(config.database);
    store.markAllOffline(now().toISOString());
    const queue = new IngestQueue(store, logger);
    const registry = new SessionRegistry();
    const listener = new AgentListener({ queue, store, registry, config, logger, now });
    let api: FastifyInstance | undefined;
    let apiPort: number | undefined;
    try {
      const agentsPort = await listener.listen(config.agents.host, config.agents.port);
      if (opts.api !== false) {
        const started = await startEngineerApi(
          {
            store,
            config,
            now,
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
      logger.info({ agents: `${config.agents.host}:${agentsPort}`, api: apiPort && `${config.api.host}:${apiPort}`, database: config.database }, 'desk started');
      return new Desk(config, store, queue, registry, listener, api, agentsPort, apiPort, logger);
    } catch (err) {
      await listener.close().catch(() => undefined);
      store.close();
      throw err;
    }
  }

  /** Closes agent connections (1001), commits what is queued, closes the database. */
  async stop(): Promise<void> {
    await this.api?.close().catch(() => undefined);
    await this.listener.close();
    this.queue.drain();
    this.store.close();
    this.logger.info('desk stopped');
  }
}
