// desk.json `notify.channels.NAME` of kind "email" → the SMTP channel. The password comes from env or an owner-only
// file like every other secret; a private CA from caFile (relative to the desk's directory).
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ExtraKind } from './channel-factory.js';
import { emailChannel } from './email.js';
import { configFail, readSecret } from './secrets.js';

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/;

function addresses(raw: Record<string, unknown>, key: string, path: string, required: boolean): string[] | undefined {
  const v = raw[key];
  if (v === undefined) return required ? configFail(`${path}.${key}`, 'is required: a list of e-mail addresses') : undefined;
  if (!Array.isArray(v) || v.length === 0) configFail(`${path}.${key}`, 'must be a non-empty list of e-mail addresses');
  v.forEach((a, i) => (typeof a === 'string' && ADDRESS.test(a)) || configFail(`${path}.${key}[${i}]`, `"${String(a)}" is not an e-mail address`));
  return v as string[];
}

export const EMAIL_KIND: ExtraKind = {
  fields: ['host', 'port', 'security', 'user', 'password', 'passwordEnv', 'passwordFile', 'caFile', 'from', 'to', 'cc', 'subjectPrefix'],
  build(name, raw, path, ctx, timeoutMs) {
    const host = raw.host;
    if (typeof host !== 'string' || host === '') configFail(`${path}.host`, 'is required: the SMTP server');
    const security = raw.security ?? 'starttls';
    if (security !== 'starttls' && security !== 'tls' && security !== 'none') configFail(`${path}.security`, 'must be "starttls" (default), "tls" or "none"');
    const port = raw.port ?? (security === 'tls' ? 465 : 587);
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) configFail(`${path}.port`, 'must be a port number');
    const from = raw.from;
    if (typeof from !== 'string' || !ADDRESS.test(from)) configFail(`${path}.from`, 'is required: the sender, e.g. "Guardpost <guardpost@example.cn>"');
    const user = raw.user;
    if (user !== undefined && (typeof user !== 'string' || user === '')) configFail(`${path}.user`, 'must be the SMTP user name');
    const pass = readSecret(raw, 'password', path, ctx);
    if ((user === undefined) !== (pass === undefined)) configFail(path, 'give both user and passwordEnv/passwordFile, or neither');
    let ca: string | undefined;
    if (raw.caFile !== undefined) {
      if (typeof raw.caFile !== 'string') configFail(`${path}.caFile`, 'must be a file path');
      const file = isAbsolute(raw.caFile) ? raw.caFile : join(ctx.dir, raw.caFile);
      try {
        ca = readFileSync(file, 'utf8');
      } catch (err) {
        configFail(`${path}.caFile`, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    const cc = addresses(raw, 'cc', path, false);
    const prefix = raw.subjectPrefix;
    if (prefix !== undefined && typeof prefix !== 'string') configFail(`${path}.subjectPrefix`, 'must be text');
    return emailChannel(name, {
      host,
      port: port as number,
      security,
      from,
      to: addresses(raw, 'to', path, true)!,
      timeoutMs,
      ...(user !== undefined && pass !== undefined ? { auth: { user: user as string, pass } } : {}),
      ...(ca ? { ca } : {}),
      ...(cc ? { cc } : {}),
      ...(typeof prefix === 'string' ? { subjectPrefix: prefix } : {}),
    });
  },
};
