// Robot keys, tokens, signing secrets and passwords never sit in desk.json: each comes from an environment variable
// (FIELDEnv) or an owner-only file (FIELDFile, relative to the desk's directory). Errors name the config path and,
// for files, what is wrong with the file — never the secret.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** A problem in desk.json's notify section: the path (e.g. notify.routes[2].grades[0]) and what is wrong there. */
export class NotifyConfigError extends Error {
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(`desk.json ${path}: ${what}`);
    this.name = 'NotifyConfigError';
  }
}

export function configFail(path: string, what: string): never {
  throw new NotifyConfigError(path, what);
}

export interface SecretContext {
  dir: string;
  env: NodeJS.ProcessEnv;
}

/** The secret `field` of the object at `path`, or undefined when neither FIELDEnv nor FIELDFile is given. */
export function readSecret(raw: Record<string, unknown>, field: string, path: string, ctx: SecretContext): string | undefined {
  if (raw[field] !== undefined) {
    configFail(`${path}.${field}`, `secrets are not kept in desk.json: give ${field}Env (an environment variable) or ${field}File (an owner-only file)`);
  }
  const envName = raw[`${field}Env`];
  const fileName = raw[`${field}File`];
  if (envName !== undefined && fileName !== undefined) configFail(path, `give ${field}Env or ${field}File, not both`);
  if (envName !== undefined) {
    if (typeof envName !== 'string' || envName === '') configFail(`${path}.${field}Env`, 'must be the name of an environment variable');
    const value = ctx.env[envName]?.trim();
    if (!value) configFail(`${path}.${field}Env`, `the environment variable ${envName} is not set or empty`);
    return value;
  }
  if (fileName !== undefined) {
    if (typeof fileName !== 'string' || fileName === '') configFail(`${path}.${field}File`, 'must be a file path');
    const file = isAbsolute(fileName) ? fileName : join(ctx.dir, fileName);
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (err) {
      configFail(`${path}.${field}File`, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if ((mode & 0o077) !== 0) {
      configFail(`${path}.${field}File`, `${file} is readable by others (mode ${(mode & 0o777).toString(8)}): make it owner-only, chmod 600 ${file}`);
    }
    const value = readFileSync(file, 'utf8').trim();
    if (!value) configFail(`${path}.${field}File`, `${file} is empty`);
    return value;
  }
  return undefined;
}

export function requireSecret(raw: Record<string, unknown>, field: string, path: string, ctx: SecretContext): string {
  return readSecret(raw, field, path, ctx) ?? configFail(path, `${field}Env or ${field}File is required`);
}
