import type { CheckPlugin } from '../checks/plugin.js';
import type { HostPlatform } from '../../platform/types.js';
import type { DeskConfig, InhibitRuleConfig, SiteConfig } from './schema.js';
import type { AssistPolicy } from '../../assist/policy/schema.js';

/** The resolved configuration the agent runs on: defaults filled, secrets resolved, checks bound to their plugins. */

export interface LoadedCheck {
  id: string;
  type: string;
  plugin: CheckPlugin;
  enabled: boolean;
  intervalSeconds: number;
  timeoutSeconds: number;
  jitterPercent: number;
  raiseAfter: number;
  clearAfter: number;
  /** The plugin's own settings, defaults filled, secrets resolved. */
  settings: Record<string, unknown>;
}

export interface GuardpostConfig {
  /** Where it came from: a file path or "embedded default". */
  source: string;
  site: SiteConfig;
  agent: { id: string; profile: 'terminal' | 'certserver' };
  checks: LoadedCheck[];
  inhibitRules: InhibitRuleConfig[];
  desk: DeskConfig;
  web: { enabled: boolean; host: string; port: number };
  logging: { level: string; file: string | null; maxSizeMB: number; maxFiles: number; stdout?: boolean };
  storage: { dir: string; outbox: { maxEvents: number; maxBytes: number }; history: { resultsPerCheck: number; failuresPerCheck: number }; reportMonths: number };
  /** Remote assistance: what the terminal's owner allows (agent/assist/policy). */
  assist: AssistPolicy;
}

export interface LoadOptions {
  /** The plugins of the check types the config may use (a service loads only those its config names). */
  plugins: CheckPlugin[];
  /** Every check type there is, for the message about an unknown one; default: the types of `plugins`. */
  knownTypes?: readonly string[];
  platform: HostPlatform;
  /** Fault codes known to the catalogue, to check inhibit rules. */
  faultCodes: Set<string>;
  env?: NodeJS.ProcessEnv;
  /** False: secret references are checked for shape but not read (status needs no password); default true. */
  readSecrets?: boolean;
}
