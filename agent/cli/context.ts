import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinCheckTypes, loadBuiltinPlugins } from '../checks/index.js';
import { currentPlatform } from '../platform/index.js';
import { FaultCatalogue } from '../core/faults/catalogue.js';
import { buildConfig, EMBEDDED_DEFAULT_CHECKS, embeddedDefaultDocument, loadConfigFile, type GuardpostConfig, type LoadOptions } from '../core/config/load.js';
import { checkTypesNamed } from '../core/config/named-checks.js';
import { ConfigError } from '../core/config/problems.js';
import type { CheckPlugin } from '../core/checks/plugin.js';
import type { HostPlatform } from '../platform/types.js';

/** What every command needs: the loaded checks, the OS backend, the fault catalogue of those checks. */
export interface CliContext {
  plugins: CheckPlugin[];
  /** Every shipped check type, loaded or not (for the message about an unknown one). */
  knownTypes: readonly string[];
  platform: HostPlatform;
  catalogue: FaultCatalogue;
  env: NodeJS.ProcessEnv;
}

/**
 * The context with the plugins of `checks` loaded, default every shipped check (docs, examples, validation). A
 * command that runs one config passes `checksNeeded(choice)` so that only the checks it names are loaded.
 */
export async function createContext(env: NodeJS.ProcessEnv = process.env, checks?: Iterable<string>): Promise<CliContext> {
  const plugins = await loadBuiltinPlugins(checks);
  return { plugins, knownTypes: builtinCheckTypes, platform: currentPlatform(), catalogue: new FaultCatalogue(plugins), env };
}

export function loadOptions(ctx: CliContext, readSecrets = true): LoadOptions {
  return {
    plugins: ctx.plugins,
    knownTypes: ctx.knownTypes,
    platform: ctx.platform,
    faultCodes: ctx.catalogue.codes(),
    env: ctx.env,
    ...(readSecrets ? {} : { readSecrets: false }),
  };
}

export interface ConfigChoice {
  config?: string;
  defaults?: boolean;
  stateDir?: string;
  /** False for commands that only find the agent (status): its secrets are neither read nor needed. */
  readSecrets?: boolean;
}

/** --config FILE, else $GUARDPOST_CONFIG, else the platform's default path. */
export function configPath(choice: ConfigChoice, env: NodeJS.ProcessEnv, platform: HostPlatform): string {
  return choice.config ?? env.GUARDPOST_CONFIG ?? platform.paths().config;
}

/**
 * The check types the chosen config names, for `createContext`; undefined (load every check) when the file cannot be
 * read or parsed here, so that the loader reports it exactly as it would otherwise.
 */
export function checksNeeded(choice: ConfigChoice, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  if (choice.defaults) return [...EMBEDDED_DEFAULT_CHECKS];
  try {
    return checkTypesNamed(JSON.parse(readFileSync(configPath(choice, env, currentPlatform()), 'utf8')));
  } catch {
    return undefined;
  }
}

/** `createContext` for one config: only the checks it names are loaded. */
export function contextFor(choice: ConfigChoice, env: NodeJS.ProcessEnv = process.env): Promise<CliContext> {
  return createContext(env, checksNeeded(choice, env));
}

/**
 * The config a command runs on: --config FILE, else $GUARDPOST_CONFIG, else the platform's default path;
 * --defaults selects the embedded default (host checks), which runs on any machine.
 */
export function resolveConfig(ctx: CliContext, choice: ConfigChoice): GuardpostConfig {
  if (choice.defaults) {
    const stateDir = choice.stateDir ?? ctx.env.GUARDPOST_STATE_DIR ?? join(process.cwd(), '.guardpost');
    const cfg = buildConfig(embeddedDefaultDocument(stateDir), 'embedded default', loadOptions(ctx, choice.readSecrets));
    return cfg;
  }
  const path = configPath(choice, ctx.env, ctx.platform);
  if (!choice.config && !ctx.env.GUARDPOST_CONFIG && !existsSync(path)) {
    throw new ConfigError(path, [
      { path: '', message: 'no configuration file here; pass --config FILE, or --defaults to run on the embedded default (host checks)' },
    ]);
  }
  const cfg = loadConfigFile(path, loadOptions(ctx, choice.readSecrets));
  if (choice.stateDir) cfg.storage.dir = choice.stateDir;
  return cfg;
}
