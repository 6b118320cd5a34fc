import { parseArgs } from 'node:util';
import { releaseConfigValidators } from '../core/config/config-ajv.js';
import { createLogger } from '../core/logging/logger.js';
import { Agent } from '../core/runtime/agent.js';
import { agentVersion } from '../core/version.js';
import type { AssistRuntime } from '../assist/runtime.js';
import type { AssistSessions } from '../assist/session/assist-sessions.js';
import type { DeskTunnel } from '../tunnel/tunnel.js';
import { ConsentBroker } from '../web/consent-broker.js';
import type { startLocalApi } from '../web/local-api.js';
import { contextFor, resolveConfig } from './context.js';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';

export const RUN_HELP = `用法 / usage: guardpost run [--config FILE | --defaults] [--state-dir DIR]
  Runs the agent until SIGTERM or SIGINT (then it stops scheduling, flushes its state and exits within 5 s).
  --config FILE    configuration (default $GUARDPOST_CONFIG, else /etc/guardpost/config.json)
  --defaults       the embedded default configuration: host checks, runs on any machine
  --state-dir DIR  where state, history and (with --defaults) the log go
`;

/** For an embedding program (the assistance channel's tests): the parts of the running agent, once it runs. */
export interface RunHooks {
  started?: (parts: { assist: AssistSessions }) => void;
}

/** Hard limit for shutdown: whatever hangs, the process is gone within this. */
const SHUTDOWN_DEADLINE_MS = 5000;

export async function runCommand(argv: string[], io: CliIO, hooks: RunHooks = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      defaults: { type: 'boolean' },
      'state-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return io.out(RUN_HELP), EXIT.ok;
  const choice = {
    ...(values.config ? { config: values.config } : {}),
    defaults: values.defaults ?? false,
    ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
  };
  // Only the checks this config names are loaded: a service holds no code it never runs.
  const ctx = await contextFor(choice, io.env);
  const cfg = resolveConfig(ctx, choice);
  // The config is loaded once for the life of the service: its validators need not stay (bench/agent-memory).
  releaseConfigValidators();
  // A service manager (systemd sets INVOCATION_ID) or an interactive terminal wants the log on stdout too.
  const stdout = cfg.logging.stdout ?? (Boolean(io.env.INVOCATION_ID) || process.stdout.isTTY === true || cfg.logging.file === null);
  const logger = createLogger({
    level: cfg.logging.level as 'info',
    file: cfg.logging.file,
    maxSizeMB: cfg.logging.maxSizeMB,
    maxFiles: cfg.logging.maxFiles,
    stdout,
  });
  // Remote-assistance consent: the session layer asks through it, the person at the terminal answers on the page or
  // with `guardpost assist`. Whether anyone can be asked is whether the local API is listening.
  const consent = new ConsentBroker({ maxLive: cfg.assist.maxConcurrentSessions });
  let api: Awaited<ReturnType<typeof startLocalApi>> | undefined;
  let cliToken: string | undefined;
  let agent: Agent | undefined;
  // Loaded only when enabled; without a writable audit log there is no assistance (nothing unrecorded may happen).
  let assist: AssistRuntime | undefined;
  if (cfg.assist.enabled) {
    try {
      assist = await (await import('../assist/runtime.js')).startAssistRuntime({
        config: cfg,
        logger,
        consent,
        consentPaths: () => ({ page: api !== undefined, cli: cliToken !== undefined }),
        agent: () => agent,
      });
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'remote assistance is off: it could not start');
      io.err(`远程协助已关闭 / remote assistance is off: it could not start: ${(err as Error).message}`);
    }
  }
  // The desk tunnel's observations (DESK_UNREACHABLE, clock skew against the desk) are result sources of the agent.
  // Loaded only when configured: ws and the protocol schemas cost a till PC several MB of RSS.
  const tunnel: DeskTunnel | undefined = cfg.desk.enabled
    ? new (await import('../tunnel/tunnel.js')).DeskTunnel({ config: cfg, version: agentVersion(), logger, env: io.env, ...(assist ? { assist: assist.setup } : {}) })
    : undefined;
  agent = await Agent.start({ config: cfg, plugins: ctx.plugins, platform: ctx.platform, logger, version: agentVersion(), sources: tunnel?.sources ?? [] });
  tunnel?.start(agent);
  if (cfg.web.enabled) {
    try {
      // Loaded only when the page is on: fastify and its dependencies are the largest part of the agent's code.
      const { checkTitles, startLocalApi } = await import('../web/local-api.js');
      api = await startLocalApi({ host: cfg.web.host, port: cfg.web.port, agent, consent, checkTitles: checkTitles(cfg.checks), logger });
      logger.info({ url: api.url }, 'local page listening');
      io.out(`Guardpost ${agentVersion()} — ${cfg.agent.id} — 本机状态页 / local page: ${api.url}  (state: ${cfg.storage.dir})`);
    } catch (err) {
      // The checks matter more than the page: keep monitoring even if the port is taken.
      logger.error({ err: (err as Error).message, port: cfg.web.port }, 'local page could not start');
      io.err(`local page could not start on ${cfg.web.host}:${cfg.web.port}: ${(err as Error).message}`);
    }
  }
  if (api) {
    // `guardpost assist` answers consent through this API with the token of this 0600 file (agent/web/cli-token.ts).
    try {
      const { writeCliToken } = await import('../web/cli-token.js');
      await writeCliToken(cfg.storage.dir, { url: api.url, token: api.ctx.cliToken, pid: process.pid, instance: api.ctx.instance });
      cliToken = api.ctx.cliToken;
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'local API token file could not be written: `guardpost assist` cannot answer');
    }
  }
  if (assist) hooks.started?.({ assist: assist.sessions });
  const running = agent;

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      const deadline = setTimeout(() => {
        logger.error('shutdown took too long; exiting anyway');
        logger.flush?.();
        resolve(EXIT.software);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      void (async () => {
        // Sessions end first (recorded so), while the tunnel can still tell the desk.
        await assist?.close().catch(() => undefined);
        if (cliToken) await (await import('../web/cli-token.js')).removeCliToken(cfg.storage.dir, cliToken).catch(() => undefined);
        await api?.close().catch(() => undefined);
        consent.close();
        await tunnel?.stop().catch(() => undefined);
        await running.stop(3000);
        logger.flush?.();
        clearTimeout(deadline);
        resolve(EXIT.ok);
      })();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
