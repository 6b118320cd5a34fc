import type Database from 'better-sqlite3';
import type { Severity } from '../../agent/core/severity.js';
import type { AckRecord, AgentRow, FaultLookup, FaultQuery, FaultRef, FaultRow, LimitKind, TimelineEntry } from './types.js';

/** Read-side queries of the SQLite store: what the engineer API and the monthly report show. */

const FAULT_COLUMNS = `f.id, f.agent_id, COALESCE(a.site_code, '') AS site_code, COALESCE(a.site_name, '') AS site_name, f.fault_key, f.code,
  f.severity, f.max_severity, f.state, f.subject, f.check_id, f.title_zh, f.title_en, f.body, f.detected_at, f.received_at,
  f.acknowledged_at, f.acknowledged_by, f.resolved_at, f.resolved_inferred, f.receipt_seconds, f.response_seconds, f.resolve_seconds`;

type Raw = Record<string, any>;

export function toFaultRow(r: Raw): FaultRow {
  const body = JSON.parse(r.body as string) as { detail?: { zh: string; en: string } };
  return {
    id: r.id,
    agentId: r.agent_id,
    siteCode: r.site_code,
    siteName: r.site_name,
    key: r.fault_key,
    code: r.code,
    severity: r.severity,
    maxSeverity: r.max_severity,
    state: r.state,
    subject: r.subject,
    checkId: r.check_id,
    title: { zh: r.title_zh, en: r.title_en },
    detail: body.detail ?? { zh: '', en: '' },
    detectedAt: r.detected_at,
    receivedAt: r.received_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: r.resolved_at,
    resolvedInferred: r.resolved_inferred === 1,
    receiptSeconds: r.receipt_seconds,
    responseSeconds: r.response_seconds,
    resolveSeconds: r.resolve_seconds,
  };
}

export function listAgents(db: Database.Database, q: { site?: string; online?: boolean } = {}): AgentRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.site) where.push('(a.site_code = ? OR a.site_name LIKE ?)'), args.push(q.site, `%${q.site}%`);
  if (q.online !== undefined) where.push('a.online = ?'), args.push(q.online ? 1 : 0);
  const rows = db
    .prepare(
      `SELECT a.*, (SELECT COUNT(*) FROM faults f WHERE f.agent_id = a.id AND f.state != 'resolved' AND f.severity = 'critical') AS n_critical,
        (SELECT COUNT(*) FROM faults f WHERE f.agent_id = a.id AND f.state != 'resolved' AND f.severity = 'major') AS n_major,
        (SELECT COUNT(*) FROM faults f WHERE f.agent_id = a.id AND f.state != 'resolved' AND f.severity = 'minor') AS n_minor
       FROM agents a ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.site_code, a.id`,
    )
    .all(...args) as Raw[];
  return rows.map((r) => ({
    id: r.id,
    siteCode: r.site_code,
    siteName: r.site_name,
    admvs: r.admvs,
    terminalId: r.terminal_id,
    profile: r.profile,
    version: r.version,
    online: r.online === 1,
    connectedAt: r.connected_at,
    disconnectedAt: r.disconnected_at,
    disconnectReason: r.disconnect_reason,
    lastSeen: r.last_seen,
    lastSeq: r.last_seq,
    health: r.health ? JSON.parse(r.health) : null,
    healthAt: r.health_at,
    openFaults: { critical: r.n_critical, major: r.n_major, minor: r.n_minor } as Record<Severity, number>,
    limited: r.limited_kind ? { kind: r.limited_kind as LimitKind, detail: r.limited_detail ?? '', at: r.limited_at, count: r.limited_count } : null,
  }));
}

export function listFaults(db: Database.Database, q: FaultQuery): FaultRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  const inList = (col: string, values: string[]) => {
    where.push(`${col} IN (${values.map(() => '?').join(',')})`);
    args.push(...values);
  };
  if (q.severity?.length) inList('f.severity', q.severity);
  if (q.state?.length) inList('f.state', [...new Set(q.state.flatMap((s) => (s === 'active' ? ['open', 'acknowledged'] : [s])))]);
  if (q.site) where.push('(a.site_code = ? OR a.site_name LIKE ?)'), args.push(q.site, `%${q.site}%`);
  if (q.agent) where.push('f.agent_id = ?'), args.push(q.agent);
  if (q.since) where.push('f.detected_at >= ?'), args.push(q.since);
  if (q.until) where.push('f.detected_at < ?'), args.push(q.until);
  const sql = `SELECT ${FAULT_COLUMNS} FROM faults f LEFT JOIN agents a ON a.id = f.agent_id
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, f.detected_at DESC LIMIT ?`;
  return (db.prepare(sql).all(...args, Math.min(q.limit ?? 500, 10_000)) as Raw[]).map(toFaultRow);
}

export function getFault(db: Database.Database, ref: FaultRef): FaultRow | undefined {
  const r = db.prepare(`SELECT ${FAULT_COLUMNS} FROM faults f LEFT JOIN agents a ON a.id = f.agent_id WHERE f.agent_id = ? AND f.id = ?`).get(ref.agentId, ref.id) as Raw | undefined;
  return r ? toFaultRow(r) : undefined;
}

const FAULT_ID = /^[A-Za-z0-9-]{4,128}$/;
const AGENT_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * An occurrence from what an engineer typed: its id, a unique prefix of one, or either qualified by the agent as
 * AGENT:ID (agent ids have no ':'), for the rare id two agents share. An exact id wins over longer ones it prefixes.
 */
export function findFault(db: Database.Database, text: string): FaultLookup {
  const colon = text.indexOf(':');
  const agent = colon > 0 ? text.slice(0, colon) : undefined;
  const ref = colon > 0 ? text.slice(colon + 1) : text;
  if (!FAULT_ID.test(ref) || (agent !== undefined && !AGENT_ID.test(agent))) return { notFound: true };
  const rows = (
    db
      .prepare(`SELECT agent_id, id FROM faults WHERE id >= ? AND id < ? ${agent ? 'AND agent_id = ?' : ''} ORDER BY id, agent_id LIMIT 20`)
      .all(ref, `${ref}\uffff`, ...(agent ? [agent] : [])) as { agent_id: string; id: string }[]
  ).map((r) => ({ agentId: r.agent_id, id: r.id }));
  const exact = rows.filter((r) => r.id === ref);
  const matches = exact.length ? exact : rows;
  if (!matches.length) return { notFound: true };
  return matches.length === 1 ? { found: matches[0]! } : { ambiguous: matches };
}

export function occurrences(db: Database.Database, from: string, to: string): FaultRow[] {
  return (
    db.prepare(`SELECT ${FAULT_COLUMNS} FROM faults f LEFT JOIN agents a ON a.id = f.agent_id WHERE f.detected_at >= ? AND f.detected_at < ? ORDER BY f.detected_at`).all(from, to) as Raw[]
  ).map(toFaultRow);
}

export function toAck(r: Raw): AckRecord {
  return { id: r.id, faultId: r.fault_id, agentId: r.agent_id, faultKey: r.fault_key, by: r.by, note: r.note, at: r.at, deliveredAt: r.delivered_at, outcome: r.outcome };
}

/** Everything known about one occurrence, in time order: its events (agent time), when the desk got it, acknowledgements. */
export function timeline(db: Database.Database, ref: FaultRef): { fault: FaultRow; entries: TimelineEntry[] } | undefined {
  const fault = getFault(db, ref);
  if (!fault) return undefined;
  const entries: TimelineEntry[] = [];
  const events = db.prepare(`SELECT seq, kind, at, received_at, body FROM events WHERE agent_id = ? AND fault_id = ? ORDER BY seq`).all(ref.agentId, ref.id) as Raw[];
  for (const e of events) {
    const body = JSON.parse(e.body as string) as { fault: { severity: string; state: string; acknowledgedBy?: string } };
    entries.push({
      at: e.at,
      what: 'event',
      kind: e.kind,
      seq: e.seq,
      severity: body.fault.severity as Severity,
      state: body.fault.state,
      ...(body.fault.acknowledgedBy && e.kind === 'acknowledged' ? { by: body.fault.acknowledgedBy } : {}),
      receivedAt: e.received_at,
    });
  }
  if (!events.length) {
    // Known from a snapshot (or a re-asserted critical fault), or raised by the desk itself (a broken audit chain).
    const origin = (db.prepare(`SELECT origin FROM faults WHERE agent_id = ? AND id = ?`).get(ref.agentId, ref.id) as { origin: string }).origin;
    entries.push({ at: fault.receivedAt, what: 'received', kind: origin === 'desk' ? 'raised by the desk' : 'snapshot' });
  }
  for (const a of db.prepare(`SELECT * FROM acknowledgements WHERE agent_id = ? AND fault_id = ? ORDER BY id`).all(ref.agentId, ref.id) as Raw[]) {
    entries.push({ at: a.at, what: 'acknowledgement', kind: a.delivered_at ? `delivered (${a.outcome})` : 'pending delivery', by: a.by, note: a.note });
  }
  entries.push(...notificationEntries(db, ref));
  entries.sort((x, y) => x.at.localeCompare(y.at));
  return { fault, entries };
}

const STEP_TEXT = (step: number) => (step === 0 ? 'first notice' : step === 1000 ? 'resolved notice' : `escalation ${step}`);

/** What the notification plan did for the occurrence: each notice, its channel and how its message fared. */
function notificationEntries(db: Database.Database, ref: FaultRef): TimelineEntry[] {
  const rows = db
    .prepare(
      `SELECT p.step, p.channel, p.state, p.due_at, p.updated_at, o.state AS sent_state, o.sent_at, o.last_error, o.merged_into
       FROM notify_plan p LEFT JOIN notify_outbox o ON o.id = p.outbox_id WHERE p.agent_id = ? AND p.fault_id = ? ORDER BY p.step, p.channel`,
    )
    .all(ref.agentId, ref.id) as Raw[];
  return rows.map((r) => {
    const step = STEP_TEXT(r.step as number);
    const iso = (ms: unknown) => new Date(ms as number).toISOString();
    if (r.state === 'timer') return { at: iso(r.due_at), what: 'notification', kind: `${step} due if still unacknowledged` };
    if (r.state !== 'queued') return { at: iso(r.updated_at), what: 'notification', kind: `${step}${r.channel === '*' ? '' : ` → ${r.channel}`}: ${r.state}` };
    const outcome = r.sent_state === 'sent' ? 'sent' : r.sent_state === 'merged' ? 'merged into a summary' : r.sent_state === 'failed' ? `failed: ${r.last_error}` : `pending${r.last_error ? ` (${r.last_error})` : ''}`;
    return { at: iso(r.sent_at ?? r.updated_at), what: 'notification', kind: `${step} → ${r.channel}: ${outcome}` };
  });
}
