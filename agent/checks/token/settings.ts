import path from 'node:path';
import type { Secret } from '../../core/config/secret.js';
import { SIGN_TEST_DEFAULTS, TOKEN_DEFAULTS, type SignTestSettings, type TokenConfig, type TokenEntry } from './schema.js';

/** One configured token with every default filled in and its subject name decided. */
export interface ResolvedToken {
  /** Position in `tokens`, for error messages. */
  index: number;
  name: string;
  module: string;
  label: string;
  serial: string;
  required: boolean;
  certificates: TokenEntry['certificates'];
  certificateRecheckMinutes: number;
  signTest: SignTestSettings;
}

/**
 * Fills defaults and checks what the schema cannot: unique names (they are fault subjects) and a PIN wherever the
 * sign test is on. Errors name the token's index, as the disk check names its mounts.
 */
export function resolveTokens(config: TokenConfig): ResolvedToken[] {
  const tokens = (config.tokens ?? []).map((entry, index): ResolvedToken => {
    const e = { ...TOKEN_DEFAULTS, ...stripUndefined(entry) } as Required<TokenEntry>;
    const signTest = { ...SIGN_TEST_DEFAULTS, ...stripUndefined(entry.signTest ?? {}) } as SignTestSettings;
    const name = tokenName(e);
    if (signTest.enabled && !isSecretLike(signTest.pin)) {
      throw new Error(`token: tokens[${index}] ("${name}"): signTest.enabled needs signTest.pin ({"env": NAME} or {"file": PATH})`);
    }
    return {
      index,
      name,
      module: e.module,
      label: e.label,
      serial: e.serial,
      required: e.required,
      certificates: entry.certificates,
      certificateRecheckMinutes: e.certificateRecheckMinutes,
      signTest: { ...signTest, pin: signTest.enabled ? signTest.pin : null },
    };
  });
  const seen = new Map<string, number>();
  for (const t of tokens) {
    const other = seen.get(t.name);
    if (other !== undefined) {
      throw new Error(`token: tokens[${t.index}] and tokens[${other}] are both named "${t.name}"; give one of them a "name"`);
    }
    seen.set(t.name, t.index);
  }
  return tokens;
}

/** The subject name of a token entry: its name, else label, else serial, else the module's file name. */
export function tokenName(e: Pick<TokenEntry, 'name' | 'label' | 'serial' | 'module'>): string {
  return e.name || e.label || e.serial || path.basename(e.module);
}

/** A loaded config holds a Secret; a hand-built one in tests may too. A plain {env} reference was never resolved. */
function isSecretLike(v: unknown): v is Secret {
  return typeof (v as Secret | null)?.reveal === 'function';
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Tokens grouped by module path, in config order: each module is loaded and scanned once per cycle. */
export function byModule(tokens: ResolvedToken[]): Map<string, ResolvedToken[]> {
  const groups = new Map<string, ResolvedToken[]>();
  for (const t of tokens) groups.set(t.module, [...(groups.get(t.module) ?? []), t]);
  return groups;
}
