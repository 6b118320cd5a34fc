import type Database from 'better-sqlite3';
import type { AssistRequestPatch, AssistRequestQuery, AssistRequestRow, AssistStore, DeskAssistState } from './assist-types.js';
import type { SqliteAudit } from './sqlite-audit.js';

/** Columns of assist_requests by field of AssistRequestRow (refusal is two columns; lists are JSON). */
const COLUMN: Record<string, string> = {
  sessionId: 'session_id',
  state: 'state',
  stateAt: 'state_at',
  approvedBy: 'approved_by',
  deniedBy: 'denied_by',
  startedAt: 'started_at',
  endsAt: 'ends_at',
  endedAt: 'ended_at',
  endCause: 'end_cause',
  endedBy: 'ended_by',
  endRequestedBy: 'end_requested_by',
};

const LIVE_SQL = `('requested', 'pending', 'running')`;
const REQUEST_ID = /^[0-9a-f-]{8,36}$/;

function toRow(r: Record<string, any>): AssistRequestRow {
  return {
    id: r.id,
    agentId: r.agent_id,
    engineer: r.engineer,
    organisation: r.organisation,
    ticket: r.ticket,
    reason: r.reason,
    kinds: JSON.parse(r.kinds),
    durationMinutes: r.duration_minutes,
    forwardTargets: JSON.parse(r.forward_targets),
    createdAt: r.created_at,
    sessionId: r.session_id,
    state: r.state as DeskAssistState,
    stateAt: r.state_at,
    refusal: r.refusal_reason ? { reason: r.refusal_reason, detail: r.refusal_detail ?? '' } : null,
    approvedBy: r.approved_by,
    deniedBy: r.denied_by,
    startedAt: r.started_at,
    endsAt: r.ends_at,
    endedAt: r.ended_at,
    endCause: r.end_cause,
    endedBy: r.ended_by,
    endRequestedBy: r.end_requested_by,
  };
}

/** The assistance requests and the read side of the audit records, on the desk's SQLite database. */
export class SqliteAssist implements AssistStore {
  private readonly s;

  constructor(
    private readonly db: Database.Database,
    private readonly audit: SqliteAudit,
  ) {
    this.s = {
      insert: db.prepare(`INSERT INTO assist_requests (id, agent_id, engineer, organisation, ticket, reason, kinds, duration_minutes, forward_targets, created_at,
          session_id, state, state_at, refusal_reason, refusal_detail, approved_by, denied_by, started_at, ends_at, ended_at, end_cause, ended_by, end_requested_by)
        VALUES (@id, @agent_id, @engineer, @organisation, @ticket, @reason, @kinds, @duration_minutes, @forward_targets, @created_at,
          @session_id, @state, @state_at, @refusal_reason, @refusal_detail, @approved_by, @denied_by, @started_at, @ends_at, @ended_at, @end_cause, @ended_by, @end_requested_by)`),
      get: db.prepare(`SELECT * FROM assist_requests WHERE id = ?`),
      prefix: db.prepare(`SELECT * FROM assist_requests WHERE id >= ? AND id < ? ORDER BY id LIMIT 2`),
      agent: db.prepare(`SELECT 1 FROM agents WHERE id = ?`),
      endLive: db.prepare(`UPDATE assist_requests SET state = 'ended', state_at = @at, ended_at = COALESCE(ended_at, @at), end_cause = @cause WHERE state IN ${LIVE_SQL}`),
    };
  }

  createRequest(row: AssistRequestRow): void {
    this.s.insert.run({
      id: row.id,
      agent_id: row.agentId,
      engineer: row.engineer,
      organisation: row.organisation,
      ticket: row.ticket,
      reason: row.reason,
      kinds: JSON.stringify(row.kinds),
      duration_minutes: row.durationMinutes,
      forward_targets: JSON.stringify(row.forwardTargets),
      created_at: row.createdAt,
      session_id: row.sessionId,
      state: row.state,
      state_at: row.stateAt,
      refusal_reason: row.refusal?.reason ?? null,
      refusal_detail: row.refusal?.detail ?? null,
      approved_by: row.approvedBy,
      denied_by: row.deniedBy,
      started_at: row.startedAt,
      ends_at: row.endsAt,
      ended_at: row.endedAt,
      end_cause: row.endCause,
      ended_by: row.endedBy,
      end_requested_by: row.endRequestedBy,
    });
  }

  updateRequest(id: string, patch: AssistRequestPatch): AssistRequestRow | undefined {
    const sets: string[] = [];
    const args: unknown[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (field === 'refusal') {
        const r = value as AssistRequestRow['refusal'];
        sets.push('refusal_reason = ?', 'refusal_detail = ?');
        args.push(r?.reason ?? null, r?.detail ?? null);
        continue;
      }
      const col = COLUMN[field];
      if (!col) throw new Error(`assist request: no column for "${field}"`);
      sets.push(`${col} = ?`);
      args.push(value);
    }
    if (sets.length) this.db.prepare(`UPDATE assist_requests SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    return this.getRequest(id);
  }

  getRequest(id: string): AssistRequestRow | undefined {
    const r = this.s.get.get(id) as Record<string, any> | undefined;
    return r ? toRow(r) : undefined;
  }

  findRequest(text: string): { found: AssistRequestRow } | { notFound: true } | { ambiguous: true } {
    const id = text.toLowerCase();
    if (!REQUEST_ID.test(id)) return { notFound: true };
    const exact = this.getRequest(id);
    if (exact) return { found: exact };
    const rows = this.s.prefix.all(id, `${id}\uffff`) as Record<string, any>[];
    if (!rows.length) return { notFound: true };
    return rows.length === 1 ? { found: toRow(rows[0]!) } : { ambiguous: true };
  }

  listRequests(q: AssistRequestQuery): AssistRequestRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.agent) where.push('agent_id = ?'), args.push(q.agent);
    if (q.state?.length) where.push(`state IN (${q.state.map(() => '?').join(',')})`), args.push(...q.state);
    const sql = `SELECT * FROM assist_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit ?? 100) as Record<string, any>[]).map(toRow);
  }

  agentExists(agentId: string): boolean {
    return this.s.agent.get(agentId) !== undefined;
  }

  endLeftLive(at: string, cause: string): number {
    return this.s.endLive.run({ at, cause }).changes;
  }

  lastAuditSeq(agentId: string): number {
    return this.audit.lastSeq(agentId);
  }

  auditRecords(agentId: string, after: number, limit: number) {
    return this.audit.records(agentId, after, limit);
  }

  auditStatus(agentId: string) {
    return this.audit.status(agentId);
  }
}
