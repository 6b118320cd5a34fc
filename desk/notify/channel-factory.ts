// desk.json `notify.channels.NAME` → a channel. Each kind names its own fields; unknown fields are refused so a typo
// (keyEnv vs keyenv) fails at start rather than at the first fault.
import { dingtalkChannel } from './dingtalk.js';
import { feishuChannel } from './feishu.js';
import { pagerdutyChannel } from './pagerduty.js';
import { configFail, readSecret, requireSecret, type SecretContext } from './secrets.js';
import type { NotifyChannel } from './types.js';
import { webhookChannel } from './webhook.js';
import { wecomChannel } from './wecom.js';

/** A channel and the sending budget it is held to (messages per rolling minute; 0 = no limit). */
export interface ChannelEntry {
  channel: NotifyChannel;
  perMinute: number;
}

/** The robots document 20 messages a minute; receivers of our own webhooks are assumed to take more. */
const DEFAULT_PER_MINUTE = { robot: 20, other: 60 };
const COMMON = ['kind', 'perMinute', 'timeoutSeconds'];
const secretKeys = (...fields: string[]) => fields.flatMap((f) => [f, `${f}Env`, `${f}File`]);

const FIELDS: Record<string, string[]> = {
  wecom: [...secretKeys('key'), 'baseUrl'],
  dingtalk: [...secretKeys('accessToken', 'secret'), 'baseUrl'],
  feishu: [...secretKeys('token', 'secret'), 'baseUrl', 'format'],
  webhook: ['url', ...secretKeys('secret'), 'format', ...secretKeys('routingKey')],
};

function optionalString(raw: Record<string, unknown>, key: string, path: string): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') configFail(`${path}.${key}`, 'must be a non-empty string');
  return v;
}

function httpUrl(raw: Record<string, unknown>, key: string, path: string): string | undefined {
  const v = optionalString(raw, key, path);
  if (v !== undefined && !/^https?:\/\/[^/\s]+/.test(v)) configFail(`${path}.${key}`, `"${v}" is not an http(s) URL`);
  return v;
}

function positive(raw: Record<string, unknown>, key: string, path: string, fallback: number, allowZero = false): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) configFail(`${path}.${key}`, `must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  return v;
}

/** Builds one channel from its config; every error names `notify.channels.NAME…`. */
export function buildChannel(name: string, value: unknown, ctx: SecretContext, extraKinds: Record<string, ExtraKind> = {}): ChannelEntry {
  const path = `notify.channels.${name}`;
  if (!/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(name)) configFail(path, 'a channel name is letters, digits, - and _ (at most 40)');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) configFail(path, 'must be an object');
  const raw = value as Record<string, unknown>;
  const kind = raw.kind;
  const known = [...Object.keys(FIELDS), ...Object.keys(extraKinds)];
  if (typeof kind !== 'string' || !known.includes(kind)) configFail(`${path}.kind`, `must be one of ${known.join(', ')}`);
  const allowed = new Set([...COMMON, ...(FIELDS[kind] ?? extraKinds[kind]!.fields)]);
  for (const key of Object.keys(raw)) if (!allowed.has(key)) configFail(`${path}.${key}`, `unknown field for a ${kind} channel`);
  const timeoutMs = positive(raw, 'timeoutSeconds', path, 10) * 1000;
  const robot = kind === 'wecom' || kind === 'dingtalk' || kind === 'feishu';
  const perMinute = positive(raw, 'perMinute', path, robot ? DEFAULT_PER_MINUTE.robot : DEFAULT_PER_MINUTE.other, true);
  const baseUrl = robot ? httpUrl(raw, 'baseUrl', path) : undefined;
  const base = { name, timeoutMs, ...(baseUrl ? { baseUrl } : {}) };
  const channel = ((): NotifyChannel => {
    switch (kind) {
      case 'wecom':
        return wecomChannel({ ...base, key: requireSecret(raw, 'key', path, ctx) });
      case 'dingtalk': {
        const secret = readSecret(raw, 'secret', path, ctx);
        return dingtalkChannel({ ...base, accessToken: requireSecret(raw, 'accessToken', path, ctx), ...(secret ? { secret } : {}) });
      }
      case 'feishu': {
        const secret = readSecret(raw, 'secret', path, ctx);
        const format = raw.format ?? 'text';
        if (format !== 'text' && format !== 'card') configFail(`${path}.format`, 'must be "text" or "card"');
        return feishuChannel({ ...base, token: requireSecret(raw, 'token', path, ctx), format, ...(secret ? { secret } : {}) });
      }
      case 'webhook': {
        const format = raw.format ?? 'alertmanager';
        if (format === 'pagerduty') {
          const url = httpUrl(raw, 'url', path);
          return pagerdutyChannel({ name, timeoutMs, routingKey: requireSecret(raw, 'routingKey', path, ctx), ...(url ? { url } : {}) });
        }
        if (format !== 'alertmanager') configFail(`${path}.format`, 'must be "alertmanager" or "pagerduty"');
        const url = httpUrl(raw, 'url', path) ?? configFail(`${path}.url`, 'is required');
        const secret = readSecret(raw, 'secret', path, ctx);
        return webhookChannel({ name, url, timeoutMs, ...(secret ? { secret } : {}) });
      }
      default:
        return extraKinds[kind]!.build(name, raw, path, ctx, timeoutMs);
    }
  })();
  return { channel, perMinute };
}

/** A channel kind defined outside this file (e-mail), with the fields it accepts besides the common ones. */
export interface ExtraKind {
  fields: string[];
  build(name: string, raw: Record<string, unknown>, path: string, ctx: SecretContext, timeoutMs: number): NotifyChannel;
}
