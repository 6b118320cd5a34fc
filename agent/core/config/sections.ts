import type { SourceLocation } from './json-source.js';
import { displayPath, suggest, type ConfigProblem } from './problems.js';
import { DeskSchema, type DeskConfig, type InhibitRuleConfig, type SiteConfig } from './schema.js';
import { resolveSecrets, type SecretEnvironment } from './secrets.js';
import type { GuardpostConfig, LoadOptions } from './types.js';
import { assistPolicyProblems } from '../../assist/policy/check-policy.js';
import type { AssistPolicy } from '../../assist/policy/schema.js';

/**
 * One function per top-level config section. Each gets its part of a document the root schema has already checked
 * (ajv filled the schema's defaults in), adds what it finds wrong to `pass.problems` and returns the section as the
 * agent uses it. A returned value is meaningful only when no problem was found: the loader throws otherwise.
 */

/** What the section readers share while one document is loaded. */
export interface LoadPass {
  opts: LoadOptions;
  problems: ConfigProblem[];
  /** Where the value at a JSON pointer starts in the file (undefined for documents built in code). */
  locate(pointer: string): SourceLocation | undefined;
  /** Where the key of the value at a JSON pointer is; unknown keys are reported there. */
  locateKey(pointer: string): SourceLocation | undefined;
  secrets: SecretEnvironment;
}

type PlatformPaths = ReturnType<LoadOptions['platform']['paths']>;

export function loadSite(raw: unknown): SiteConfig {
  return raw as SiteConfig;
}

export function loadAgent(raw: unknown, site: SiteConfig): GuardpostConfig['agent'] {
  const agent = raw as { id?: string; profile: GuardpostConfig['agent']['profile'] };
  return { id: agent.id ?? `${site.fixmedins_code}-${site.terminalId}`, profile: agent.profile };
}

/** Inhibit rules may name only fault codes the catalogue knows: a typo would silently mute nothing. */
export function loadInhibitRules(raw: unknown, pass: LoadPass): InhibitRuleConfig[] {
  if (!Array.isArray(raw)) return []; // anything else, the root schema reported
  raw.forEach((rule: Partial<InhibitRuleConfig> | null, i) => {
    for (const side of ['source', 'target'] as const) {
      const codes: unknown = rule?.[side];
      if (!Array.isArray(codes)) continue;
      codes.forEach((code: unknown, j) => {
        if (typeof code !== 'string' || pass.opts.faultCodes.has(code)) return;
        const hint = suggest(code, [...pass.opts.faultCodes]);
        const p = `/inhibitRules/${i}/${side}/${j}`;
        pass.problems.push({ path: displayPath(p), at: pass.locate(p), message: `unknown fault code "${code}"${hint ? ` (did you mean "${hint}"?)` : ''}; see docs/faults.md` });
      });
    }
  });
  return raw as InhibitRuleConfig[];
}

/** Resolves the desk's secrets and checks that an enabled desk has what the tunnel needs to connect. */
export function loadDesk(raw: unknown, schemaValid: boolean, pass: LoadPass): DeskConfig {
  const desk = raw as DeskConfig;
  // Secrets are read only from a desk section that passed the schema: no guessing inside a malformed one.
  if (!schemaValid || !desk) return desk;
  resolveSecrets(desk, DeskSchema, '/desk', pass.secrets, pass.problems);
  if (desk.enabled) {
    // What the tunnel needs to connect with mutual TLS; checked here so `config validate` catches it, not only `run`.
    const need = (key: string, why: string) => pass.problems.push({ path: `desk.${key}`, at: pass.locate('/desk'), message: `missing; ${why}` });
    if (!desk.url) need('url', 'required when desk.enabled is true');
    if (!desk.caFile && !(desk.pins ?? []).length) need('caFile', 'the desk must be verified by its CA (caFile) or pinned keys (pins)');
    if (!desk.certFile) need('certFile', "required when desk.enabled is true: the agent's client certificate");
    if (!desk.keyFile) need('keyFile', "required when desk.enabled is true: the agent's private key");
  }
  return desk;
}

export function loadWeb(raw: unknown): GuardpostConfig['web'] {
  const { enabled, host, port } = raw as GuardpostConfig['web'];
  return { enabled, host, port };
}

/** The log file's default depends on the platform, so it is filled here rather than by the schema. */
export function loadLogging(raw: unknown, paths: PlatformPaths): GuardpostConfig['logging'] {
  const { level, file, maxSizeMB, maxFiles, stdout } = raw as Omit<GuardpostConfig['logging'], 'file'> & { file?: string | null };
  return { level, file: file === undefined ? paths.logFile : file, maxSizeMB, maxFiles, stdout };
}

/** The state directory's default depends on the platform, so it is filled here rather than by the schema. */
export function loadStorage(raw: unknown, paths: PlatformPaths): GuardpostConfig['storage'] {
  const { dir, outbox, history, reportMonths } = raw as Omit<GuardpostConfig['storage'], 'dir'> & { dir?: string };
  return {
    dir: dir ?? paths.stateDir,
    outbox: { maxEvents: outbox.maxEvents, maxBytes: outbox.maxBytes },
    history: { resultsPerCheck: history.resultsPerCheck, failuresPerCheck: history.failuresPerCheck },
    reportMonths,
  };
}

/** The assist policy as the schema filled it; window times and allowlist entries are checked here (located). */
export function loadAssist(raw: unknown, schemaValid: boolean, pass: LoadPass): AssistPolicy {
  const a = raw as AssistPolicy;
  if (!schemaValid || !a) return a; // the root schema reported what is wrong with it
  for (const p of assistPolicyProblems(a)) pass.problems.push({ path: p.path, at: pass.locate(p.pointer), message: p.message });
  return {
    enabled: a.enabled,
    kinds: { diag: a.kinds.diag, forward: a.kinds.forward, shell: a.kinds.shell },
    forwardTargets: [...a.forwardTargets],
    maxDurationMinutes: a.maxDurationMinutes,
    idleTimeoutMinutes: a.idleTimeoutMinutes,
    maxConcurrentSessions: a.maxConcurrentSessions,
    bandwidthBytesPerSecond: a.bandwidthBytesPerSecond,
    consentTimeoutSeconds: a.consentTimeoutSeconds,
    maintenanceWindows: a.maintenanceWindows.map((w) => ({ name: w.name, days: [...w.days], from: w.from, to: w.to })),
    shell: {
      ...(a.shell?.user !== undefined ? { user: a.shell.user } : {}),
      ...(a.shell?.command ? { command: [...a.shell.command] } : {}),
      ...(a.shell?.cwd !== undefined ? { cwd: a.shell.cwd } : {}),
    },
  };
}
