// desk.json `notify.routes` and `notify.silences`: which channels a fault goes to, and what is muted.
// mode "first" (default): the first rule that matches decides; "all": the union of every matching rule's channels.
// A rule matches when every criterion it names matches: grades, sites (institution code prefixes, so "H3101" is a
// region), codes (exact, or a prefix ending in "*"), hours "HH:MM-HH:MM" in desk local time (may wrap past midnight).
import { configFail } from './secrets.js';
import type { Grade, NotifyFault } from './types.js';

export interface RouteRule {
  grades?: Grade[];
  sites?: string[];
  codes?: string[];
  hours?: string;
  channels: string[];
}

export interface Silence {
  sites?: string[];
  codes?: string[];
  from: string; // ISO time
  until: string; // ISO time
}

/** A recurring maintenance window: muted every week on these ISO weekdays (1 = Monday) during `hours`, desk local time. */
export interface MaintenanceWindow {
  sites?: string[];
  codes?: string[];
  days: number[];
  hours: string;
}

export interface RoutingConfig {
  mode: 'first' | 'all';
  routes: RouteRule[];
  silences: Silence[];
  maintenance: MaintenanceWindow[];
}

const GRADES: ReadonlySet<string> = new Set(['critical', 'major', 'minor']);
const HOURS = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

function fail(path: string, what: string): never {
  return configFail(path, what);
}
function stringList(value: unknown, path: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v !== '')) fail(path, 'must be a non-empty list of non-empty strings');
  return value as string[];
}

/** Validates the notify section's routing parts; every error names its path, e.g. `notify.routes[2].grades[0]`. */
export function parseRouting(notify: Record<string, unknown>, channelNames: ReadonlySet<string>): RoutingConfig {
  const mode = notify.mode ?? 'first';
  if (mode !== 'first' && mode !== 'all') fail('notify.mode', 'must be "first" or "all"');
  const rawRoutes = notify.routes ?? [];
  if (!Array.isArray(rawRoutes)) fail('notify.routes', 'must be a list');
  const routes = rawRoutes.map((raw: unknown, i): RouteRule => {
    const path = `notify.routes[${i}]`;
    if (typeof raw !== 'object' || raw === null) fail(path, 'must be an object');
    const r = raw as Record<string, unknown>;
    const grades = stringList(r.grades, `${path}.grades`);
    grades?.forEach((g, j) => GRADES.has(g) || fail(`${path}.grades[${j}]`, `"${g}" is not critical, major or minor`));
    if (r.hours !== undefined && (typeof r.hours !== 'string' || !HOURS.test(r.hours))) fail(`${path}.hours`, 'must be "HH:MM-HH:MM"');
    const channels = stringList(r.channels, `${path}.channels`) ?? fail(`${path}.channels`, 'is required');
    channels.forEach((c, j) => channelNames.has(c) || fail(`${path}.channels[${j}]`, `no channel named "${c}" in notify.channels`));
    const sites = stringList(r.sites, `${path}.sites`);
    const codes = stringList(r.codes, `${path}.codes`);
    return {
      channels,
      ...(grades ? { grades: grades as Grade[] } : {}),
      ...(sites ? { sites } : {}),
      ...(codes ? { codes } : {}),
      ...(typeof r.hours === 'string' ? { hours: r.hours } : {}),
    };
  });
  const rawSilences = notify.silences ?? [];
  if (!Array.isArray(rawSilences)) fail('notify.silences', 'must be a list');
  const silences = rawSilences.map((raw: unknown, i): Silence => {
    const path = `notify.silences[${i}]`;
    const s = (typeof raw === 'object' && raw !== null ? raw : fail(path, 'must be an object')) as Record<string, unknown>;
    for (const key of ['from', 'until'] as const) {
      if (typeof s[key] !== 'string' || Number.isNaN(Date.parse(s[key] as string))) fail(`${path}.${key}`, 'must be an ISO date-time');
    }
    const sites = stringList(s.sites, `${path}.sites`);
    const codes = stringList(s.codes, `${path}.codes`);
    return { from: s.from as string, until: s.until as string, ...(sites ? { sites } : {}), ...(codes ? { codes } : {}) };
  });
  const rawWindows = notify.maintenance ?? [];
  if (!Array.isArray(rawWindows)) fail('notify.maintenance', 'must be a list');
  const maintenance = rawWindows.map((raw: unknown, i): MaintenanceWindow => {
    const path = `notify.maintenance[${i}]`;
    const w = (typeof raw === 'object' && raw !== null ? raw : fail(path, 'must be an object')) as Record<string, unknown>;
    const days = w.days ?? [1, 2, 3, 4, 5, 6, 7];
    if (!Array.isArray(days) || days.length === 0 || !days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) fail(`${path}.days`, 'must be a list of ISO weekdays, 1 (Monday) to 7 (Sunday)');
    if (typeof w.hours !== 'string' || !HOURS.test(w.hours)) fail(`${path}.hours`, 'must be "HH:MM-HH:MM"');
    const sites = stringList(w.sites, `${path}.sites`);
    const codes = stringList(w.codes, `${path}.codes`);
    return { days: days as number[], hours: w.hours, ...(sites ? { sites } : {}), ...(codes ? { codes } : {}) };
  });
  return { mode, routes, silences, maintenance };
}

function codeMatches(patterns: string[], code: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? code.startsWith(p.slice(0, -1)) : p === code));
}
function inHours(hours: string, at: Date): boolean {
  const [, h1, m1, h2, m2] = HOURS.exec(hours)!;
  const start = Number(h1) * 60 + Number(m1);
  const end = Number(h2) * 60 + Number(m2);
  const minute = at.getHours() * 60 + at.getMinutes();
  return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
}

export function ruleMatches(rule: RouteRule, fault: NotifyFault, at: Date): boolean {
  if (rule.grades && !rule.grades.includes(fault.grade)) return false;
  if (rule.sites && !rule.sites.some((s) => fault.institution.startsWith(s))) return false;
  if (rule.codes && !codeMatches(rule.codes, fault.code)) return false;
  if (rule.hours && !inHours(rule.hours, at)) return false;
  return true;
}

/** The channels a fault goes to at `at`; empty when no rule matches. */
export function routeFault(config: RoutingConfig, fault: NotifyFault, at: Date): string[] {
  const matching = config.routes.filter((r) => ruleMatches(r, fault, at));
  if (config.mode === 'first') return matching[0]?.channels ?? [];
  return [...new Set(matching.flatMap((r) => r.channels))];
}

const scoped = (m: { sites?: string[]; codes?: string[] }, fault: NotifyFault): boolean =>
  (!m.sites || m.sites.some((p) => fault.institution.startsWith(p))) && (!m.codes || codeMatches(m.codes, fault.code));

/**
 * A silence or a maintenance window mutes notifications only; the fault itself stays in the store and the engineer
 * API. A window that wraps past midnight belongs to the day it starts on.
 */
export function isSilenced(config: RoutingConfig, fault: NotifyFault, at: Date): boolean {
  const t = at.getTime();
  if (config.silences.some((s) => Date.parse(s.from) <= t && t < Date.parse(s.until) && scoped(s, fault))) return true;
  return config.maintenance.some((w) => {
    if (!scoped(w, fault) || !inHours(w.hours, at)) return false;
    const [, h1, m1] = HOURS.exec(w.hours)!;
    const startedYesterday = at.getHours() * 60 + at.getMinutes() < Number(h1) * 60 + Number(m1);
    const weekday = ((at.getDay() + 6 - (startedYesterday ? 1 : 0)) % 7) + 1; // ISO: Monday 1 … Sunday 7
    return w.days.includes(weekday);
  });
}
