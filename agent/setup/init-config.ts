import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProfile } from '../core/checks/plugin.js';
import { writeFileAtomicSync } from '../core/atomic-file.js';
import type { HostPlatform } from '../platform/types.js';
import type { SiteConfig } from '../core/site.js';

export interface InitAnswers {
  profile: ConfigProfile;
  site: SiteConfig;
  /** The settlement platform's URL at the terminal (the 医保 front-end processor), when known. */
  settlementUrl?: string;
  /** The authentication service's health URL, on the certificate server. */
  certserverUrl?: string;
  /** Checks chosen from what was detected, by id. */
  devices: Record<string, Record<string, unknown>>;
}

/**
 * The config `guardpost init` writes: the site, the checks every machine gets (disk, memory, clock), the devices
 * chosen, the settlement or authentication endpoint when given, and the platform's paths. The desk section is left
 * off: `guardpost enroll` writes it with the identity it gets. Defaults stay out, so the schema's apply.
 */
export function initConfig(a: InitAnswers, platform: HostPlatform): Record<string, unknown> {
  const paths = platform.paths();
  const checks: Record<string, unknown> = { disk: {}, memory: {}, clock: {}, ...a.devices };
  if (a.settlementUrl) checks.settlement = { endpoints: [{ name: 'settlement', kind: 'http', url: a.settlementUrl }] };
  if (a.certserverUrl) checks.certserver = { service: { kind: 'http', url: a.certserverUrl } };
  return {
    site: a.site,
    agent: { profile: a.profile },
    checks,
    logging: { file: paths.logFile },
    storage: { dir: paths.stateDir },
  };
}

export class ConfigExistsError extends Error {
  override readonly name = 'ConfigExistsError';
}

/**
 * Writes the config readable by its group only (the service's group reads it; secrets may be referenced from it).
 * An existing config is never overwritten unless asked (--force), and then kept beside it as <file>.bak-<time>.
 */
export function writeInitConfig(file: string, doc: Record<string, unknown>, options: { force?: boolean; now?: Date } = {}): { backup?: string } {
  let backup: string | undefined;
  if (existsSync(file)) {
    if (!options.force) throw new ConfigExistsError(`${file} exists; guardpost init does not overwrite a config (use --force to replace it, the old one is kept as a backup)`);
    backup = `${file}.bak-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, '')}`;
    copyFileSync(file, backup);
    chmodSync(backup, 0o640);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicSync(file, `${JSON.stringify(doc, null, 2)}\n`, 0o640);
  return backup ? { backup } : {};
}

