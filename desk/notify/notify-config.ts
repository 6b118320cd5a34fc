// desk.json `notify`: channels, routes and silences, the grouping window, escalation steps. Validated at desk start
// with errors naming the path; secrets are read then (secrets.ts), so a missing one stops the desk, not a fault.
import { buildChannel, type ChannelEntry, type ExtraKind } from './channel-factory.js';
import { parseRouting, type RoutingConfig } from './routing.js';
import { configFail, readSecret, type SecretContext } from './secrets.js';
import { ticketSyncChannel } from './ticket-sync.js';
import type { Grade } from './types.js';

export interface EscalationStep {
  /** 1, 2, … in order of time. */
  step: number;
  /** Minutes after the desk received the fault, if nobody has acknowledged it by then. */
  afterMinutes: number;
  grades: Grade[];
  channels: string[];
}

export interface NotifyConfig {
  consoleBaseUrl?: string;
  /** Faults of one site arriving within this many seconds go out as one message (0: each at once). */
  groupSeconds: number;
  /** Send a 恢复 resolved message to the channels told of a fault when it resolves. */
  resolved: boolean;
  /** Consecutive failed sends after which the desk raises NOTIFY_CHANNEL_FAILING. */
  failingAfter: number;
  routing: RoutingConfig;
  escalation: EscalationStep[];
  channels: Map<string, ChannelEntry>;
  /** The outbound ticket integration: every ticket step posted to an external ticket system. */
  ticketSync?: ChannelEntry;
}

const KEYS = new Set(['consoleBaseUrl', 'groupSeconds', 'resolved', 'failingAfter', 'mode', 'channels', 'routes', 'silences', 'maintenance', 'escalation', 'ticketSync']);
const GRADES: readonly Grade[] = ['critical', 'major', 'minor'];

export interface NotifyConfigContext extends SecretContext {
  /** The contract's response target: the default time of the first escalation step. */
  respondMinutes: number;
  extraKinds?: Record<string, ExtraKind>;
}

/** The `notify` section, or undefined when desk.json has none (the desk then sends nothing). */
export function parseNotifyConfig(value: unknown, ctx: NotifyConfigContext): NotifyConfig | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) configFail('notify', 'must be an object');
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) configFail(`notify.${key}`, `unknown key (known: ${[...KEYS].join(', ')})`);
  const rawChannels = raw.channels ?? {};
  if (typeof rawChannels !== 'object' || rawChannels === null || Array.isArray(rawChannels)) configFail('notify.channels', 'must be an object of NAME: {kind, …}');
  const channels = new Map<string, ChannelEntry>();
  for (const [name, spec] of Object.entries(rawChannels)) channels.set(name, buildChannel(name, spec, ctx, ctx.extraKinds));
  const names = new Set(channels.keys());
  const consoleBaseUrl = raw.consoleBaseUrl;
  if (consoleBaseUrl !== undefined && (typeof consoleBaseUrl !== 'string' || !/^https?:\/\//.test(consoleBaseUrl))) configFail('notify.consoleBaseUrl', 'must be an http(s) URL');
  const groupSeconds = raw.groupSeconds ?? 10;
  if (typeof groupSeconds !== 'number' || groupSeconds < 0 || groupSeconds > 600) configFail('notify.groupSeconds', 'must be a number of seconds from 0 to 600');
  const failingAfter = raw.failingAfter ?? 3;
  if (!Number.isInteger(failingAfter) || (failingAfter as number) < 1) configFail('notify.failingAfter', 'must be a whole number ≥ 1');
  if (raw.resolved !== undefined && typeof raw.resolved !== 'boolean') configFail('notify.resolved', 'must be true or false');
  return {
    ...(typeof consoleBaseUrl === 'string' ? { consoleBaseUrl } : {}),
    groupSeconds,
    resolved: raw.resolved !== false,
    failingAfter: failingAfter as number,
    routing: withDefaultRoute(parseRouting(raw, names), names),
    escalation: parseEscalation(raw.escalation, names, ctx.respondMinutes),
    channels,
    ...(raw.ticketSync !== undefined ? { ticketSync: parseTicketSync(raw.ticketSync, ctx) } : {}),
  };
}

function parseTicketSync(value: unknown, ctx: SecretContext): ChannelEntry {
  const path = 'notify.ticketSync';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) configFail(path, 'must be an object: { url, secretEnv | secretFile, timeoutSeconds }');
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!['url', 'secret', 'secretEnv', 'secretFile', 'timeoutSeconds'].includes(key)) configFail(`${path}.${key}`, 'unknown key');
  if (typeof raw.url !== 'string' || !/^https?:\/\/[^/\s]+/.test(raw.url)) configFail(`${path}.url`, 'is required: the external ticket system\'s http(s) URL');
  const timeout = raw.timeoutSeconds ?? 10;
  if (typeof timeout !== 'number' || timeout <= 0) configFail(`${path}.timeoutSeconds`, 'must be a positive number');
  const secret = readSecret(raw, 'secret', path, ctx);
  // No budget: every step must arrive, in order, never merged into a summary.
  return { channel: ticketSyncChannel({ url: raw.url, timeoutMs: timeout * 1000, ...(secret ? { secret } : {}) }), perMinute: 0 };
}

/** No routes written: every fault goes to every channel (a desk with one robot needs no rules). */
function withDefaultRoute(routing: RoutingConfig, channels: ReadonlySet<string>): RoutingConfig {
  if (routing.routes.length || !channels.size) return routing;
  return { ...routing, routes: [{ channels: [...channels] }] };
}

function parseEscalation(value: unknown, channels: ReadonlySet<string>, respondMinutes: number): EscalationStep[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) configFail('notify.escalation', 'must be a list of steps');
  let previous = 0;
  return value.map((rawStep: unknown, i): EscalationStep => {
    const path = `notify.escalation[${i}]`;
    if (typeof rawStep !== 'object' || rawStep === null) configFail(path, 'must be an object');
    const s = rawStep as Record<string, unknown>;
    for (const key of Object.keys(s)) if (!['afterMinutes', 'grades', 'channels'].includes(key)) configFail(`${path}.${key}`, 'unknown key (afterMinutes, grades, channels)');
    const afterMinutes = s.afterMinutes ?? (i === 0 ? respondMinutes : undefined);
    if (typeof afterMinutes !== 'number' || afterMinutes <= 0) configFail(`${path}.afterMinutes`, i === 0 ? 'must be a positive number of minutes' : 'is required (minutes after the fault arrived)');
    if (afterMinutes <= previous) configFail(`${path}.afterMinutes`, `must be later than the step before (${previous} min)`);
    previous = afterMinutes;
    const grades = (s.grades ?? ['critical', 'major']) as unknown[];
    if (!Array.isArray(grades) || grades.length === 0) configFail(`${path}.grades`, 'must be a non-empty list');
    grades.forEach((g, j) => GRADES.includes(g as Grade) || configFail(`${path}.grades[${j}]`, `"${String(g)}" is not critical, major or minor`));
    const list = s.channels;
    if (!Array.isArray(list) || list.length === 0) configFail(`${path}.channels`, 'is required: the channels this step tells');
    list.forEach((c, j) => channels.has(c as string) || configFail(`${path}.channels[${j}]`, `no channel named "${String(c)}" in notify.channels`));
    return { step: i + 1, afterMinutes, grades: grades as Grade[], channels: list as string[] };
  });
}
