import type { TObject } from '../schema/type.js';
import type { Text } from '../text.js';
import type { ProbeResult } from './result.js';
import type { FaultDefinition, FaultSignal, InhibitRule } from './fault-rules.js';
import type { HostPlatform } from '../../platform/types.js';
import type { SiteConfig } from '../site.js';

/** Framework settings every check has; a plugin gives its own defaults. */
export interface CheckDefaults {
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Consecutive failures before a fault opens. */
  raiseAfter: number;
  /** Consecutive successes before it resolves. */
  clearAfter: number;
}

/** Per-check state that survives restarts (e.g. a log file's scan offset). JSON values only. */
export interface CheckStateHandle {
  get<T>(): T | undefined;
  set<T>(value: T): void;
}

export interface ProbeContext {
  /** The check's id: its key under `checks` in the config. */
  checkId: string;
  platform: HostPlatform;
  state: CheckStateHandle;
  /** Wall clock; injectable so tests and benchmarks can run time faster. */
  now(): Date;
  /**
   * The institution and terminal from the config's `site` (e.g. for the platform sign-in envelope). Set for in-process
   * checks by the agent and `guardpost check`; absent in isolated child processes and in bare test contexts.
   */
  site?: SiteConfig;
  /** The agent's state directory (config storage.dir), for caches that should survive restarts (CRLs, OCSP). */
  stateDir?: string;
}

export interface Probe {
  /** One run. Returns a result for every subject the check watches. Must honour `signal` where it can. */
  run(signal: AbortSignal): Promise<ProbeResult[]>;
  close?(): Promise<void> | void;
}

export type ConfigProfile = 'terminal' | 'certserver';

/** Framework failures a plugin may name its own fault for (see CheckPlugin.frameworkFaults). */
export type FrameworkFaults = Partial<Record<'timeout' | 'crashed', FaultSignal>>;

/**
 * A check plugin: everything about one kind of check lives in its folder `agent/checks/<type>/`.
 * The core knows checks only through this interface and the registry list.
 */
export interface CheckPlugin<C = any> {
  /** The config `type`; equal to the folder name. */
  type: string;
  /** `import.meta.url` of the module exporting this plugin as `plugin`; isolated runs import it in a child process. */
  moduleUrl: string;
  title: Text;
  /** JSON Schema (agent/core/schema/type.ts) of the check-specific settings; the framework adds its own (interval, timeout, ...). */
  configSchema: TObject;
  defaults: CheckDefaults;
  /** Runs in a supervised child process: anything that calls native vendor code or may block the event loop. */
  isolated?: boolean;
  /**
   * The check's own fault for a run the framework had to end: 'timeout' (abandoned, child killed) or 'crashed' (the
   * isolated process died), e.g. a vendor module that hangs or segfaults. Codes must be in `faults`. Without it the
   * core raises CHECK_TIMEOUT / CHECK_CRASHED.
   */
  frameworkFaults?: FrameworkFaults;
  /** The closed list of failure reasons this check reports. */
  reasons: Record<string, Text>;
  /** Catalogue entries of the faults this check can raise. */
  faults: FaultDefinition[];
  /** Fault rules: which fault, how severe, for a failed result. `null` means the failure raises no fault. */
  rules(result: ProbeResult, config: C): FaultSignal | null;
  inhibitRules?: InhibitRule[];
  /** Example instances for `guardpost config example --profile P`, keyed by check id; every option shown. */
  example(profile: ConfigProfile): Record<string, C & { type?: string }>;
  createProbe(config: C, ctx: ProbeContext): Probe;
  /**
   * Rules a JSON Schema cannot say (one setting required by another's value, thresholds in order), checked when the
   * config is loaded so they are config errors, not run-time ones. `path` is a JSON pointer within the check entry.
   */
  validate?(config: C): { path: string; message: string }[];
}

/** Framework settings as they appear in a check's config entry. */
export interface CheckCommonConfig {
  type?: string;
  enabled?: boolean;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  raiseAfter?: number;
  clearAfter?: number;
}
