import { readFileSync, statSync } from 'node:fs';
import type { TSchema } from '../schema/type.js';
import { Secret } from './secret.js';
import { SECRET_MARK } from './schema.js';
import { displayPath, type ConfigProblem } from './problems.js';

export interface SecretEnvironment {
  env: NodeJS.ProcessEnv;
  /** Group/world permission bits are meaningless on Windows ACLs; checked only where POSIX modes apply. */
  checkFileMode: boolean;
  /** Leave secrets unread (each becomes an empty Secret): for commands that only need where the agent is, like status. */
  skip?: boolean;
}

/** Reads one secret reference. Errors name the reference, never the value. */
export function resolveSecretRef(ref: { env?: string; file?: string }, where: string, senv: SecretEnvironment): Secret | ConfigProblem {
  if (senv.skip) return new Secret('', `not read (${ref.env !== undefined ? `env ${ref.env}` : `file ${ref.file}`})`);
  if (ref.env !== undefined) {
    const v = senv.env[ref.env];
    if (v === undefined || v === '') return { path: where, message: `environment variable ${ref.env} is not set or empty` };
    return new Secret(v, `env ${ref.env}`);
  }
  const file = ref.file!;
  let mode: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) return { path: where, message: `secret file ${file} is not a regular file` };
    mode = st.mode;
  } catch (err) {
    return { path: where, message: `cannot read secret file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  if (senv.checkFileMode && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    return { path: where, message: `secret file ${file} is readable by group or others (mode ${octal}); run: chmod 600 ${file}` };
  }
  let value: string;
  try {
    value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    return { path: where, message: `cannot read secret file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  if (!value) return { path: where, message: `secret file ${file} is empty` };
  return new Secret(value, `file ${file}`);
}

/**
 * Walks a validated document alongside its schema and replaces every secret reference by a Secret.
 * Returns the problems found; the document is changed in place.
 */
export function resolveSecrets(doc: unknown, schema: TSchema, pointer: string, senv: SecretEnvironment, problems: ConfigProblem[]): unknown {
  const s = schema as Record<string, unknown>;
  if (s[SECRET_MARK] && doc && typeof doc === 'object') {
    const r = resolveSecretRef(doc as { env?: string; file?: string }, displayPath(pointer), senv);
    if (r instanceof Secret) return r;
    problems.push(r);
    return doc;
  }
  if (Array.isArray(doc) && s.items) {
    doc.forEach((item, i) => (doc[i] = resolveSecrets(item, s.items as TSchema, `${pointer}/${i}`, senv, problems)));
  } else if (doc && typeof doc === 'object' && s.properties) {
    const rec = doc as Record<string, unknown>;
    for (const [k, sub] of Object.entries(s.properties as Record<string, TSchema>)) {
      if (rec[k] !== undefined) rec[k] = resolveSecrets(rec[k], sub, `${pointer}/${k}`, senv, problems);
    }
  }
  return doc;
}
