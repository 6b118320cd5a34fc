import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { builtinPlugins } from '../checks/index.js';
import { currentPlatform } from '../platform/index.js';
import { FaultCatalogue } from '../core/faults/catalogue.js';
import { buildConfig, embeddedDefaultDocument, loadConfigFile, type GuardpostConfig, type LoadOptions } from '../core/config/load.js';
import { ConfigError } from '../core/config/problems.js';
import type { CheckPlugin } from '../core/checks/plugin.js';
import type { HostPlatform } from '../platform/types.js';

/** What every command needs: the check registry, the OS backend, the fault catalogue. */
export interface CliContext {
  plugins: CheckPlugin[];
  platform: HostPlatform;
  catalogue: FaultCatalogue;
  env: NodeJS.ProcessEnv;
}

export function createContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const plugins = builtinPlugins;
  return { plugins, platform: currentPlatform(), catalogue: new FaultCatalogue(plugins), env };
}

export function loadOptions(ctx: CliContext, readSecrets = true): LoadOptions {
  return { plugins: ctx.plugins, platform: ctx.platform, faultCodes: ctx.catalogue.codes(), env: ctx.env, ...(readSecrets ? {} : { readSecrets: false }) };
}

export interface ConfigChoice {
  config?: string;
  defaults?: boolean;
  stateDir?: string;
  /** False for commands that only find the agent (status): its secrets are neither read nor needed. */
  readSecrets?: boolean;
}

/**
 * The config a command runs on: --config FILE, else $GUARDPOST_CONFIG, else the platform's default path;
 * --defaults selects the embedded default (host checks), which runs on any machine.
 */
export function resolveConfig(ctx: CliContext, choice: ConfigChoice): GuardpostConfig {
  if (choice.defaults) {
    const stateDir = choice.stateDir ?? ctx.env.GUARDPOST_STATE_DIR ?? join(process.cwd(), '.guardpost');
    const cfg = buildConfig(embeddedDefaultDocument(ctx.plugins, stateDir), 'embedded default', loadOptions(ctx, choice.readSecrets));
    return cfg;
  }
  const path = choice.config ?? ctx.env.GUARDPOST_CONFIG ?? ctx.platform.paths().config;
  if (!choice.config && !ctx.env.GUARDPOST_CONFIG && !existsSync(path)) {
    throw new ConfigError(path, [
      { path: '', message: 'no configuration file here; pass --config FILE, or --defaults to run on the embedded default (host checks)' },
    ]);
  }
  const cfg = loadConfigFile(path, loadOptions(ctx, choice.readSecrets));
  if (choice.stateDir) cfg.storage.dir = choice.stateDir;
  return cfg;
}
