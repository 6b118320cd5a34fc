import type Database from 'better-sqlite3';
import type { Fault } from '../../agent/core/faults/types.js';
import { iso, mergeFault, type NewsKind, type StoredFault } from './fault-merge.js';
import { QuotaMeter, quotaDay, refusalText, type QuotaKind, type Quotas } from './quota.js';
import type { SqliteAudit } from './sqlite-audit.js';
import type { IngestOp, OpResult } from './types.js';

interface AgentSeqs {
  last_seq: number;
  state_seq: number;
  state_at: string | null;
  quota_day: string | null;
  quota_bytes: number;
}

/** A fault as stored for one piece of news about it, or refused by a quota. */
interface MergeInput {
  agentId: string;
  fault: Fault;
  kind: NewsKind;
  seq: number;
  at: string;
  receivedAt: string;
  seqs: Pick<AgentSeqs, 'state_seq' | 'state_at'>;
  meter: QuotaMeter;
  /** Bytes stored besides the fault row (the event's own row). */
  extraBytes?: number;
  /** Runs once the quota admitted the news, before the row is written (inserts the event). */
  admitted?: () => void;
}

/**
 * Applies ingest operations with prepared statements; the store wraps apply() in a transaction. Occurrences are
 * keyed by (agent, id): the id is the agent's choice, so another agent's use of it is another occurrence. What
 * would take an agent past its quotas is not stored, counted in the result and recorded on the agent's row.
 */
export class SqliteIngest {
  private readonly s;

  constructor(
    db: Database.Database,
    private readonly quotas: Quotas,
    private readonly audit: SqliteAudit,
  ) {
    this.s = {
      connected: db.prepare(`INSERT INTO agents (id, site_code, site_name, admvs, terminal_id, profile, version, protocol, remote, online, conn_id, connected_at, last_seen, first_seen)
        VALUES (@id, @site_code, @site_name, @admvs, @terminal_id, @profile, @version, @protocol, @remote, 1, @conn_id, @at, @at, @at)
        ON CONFLICT(id) DO UPDATE SET site_code=excluded.site_code, site_name=excluded.site_name, admvs=excluded.admvs,
          terminal_id=excluded.terminal_id, profile=excluded.profile, version=excluded.version, protocol=excluded.protocol,
          remote=excluded.remote, online=1, conn_id=excluded.conn_id, connected_at=excluded.connected_at, last_seen=excluded.last_seen`),
      disconnected: db.prepare(`UPDATE agents SET online=0, disconnected_at=?, disconnect_reason=? WHERE id=? AND conn_id=?`),
      ensureAgent: db.prepare(`INSERT OR IGNORE INTO agents (id, first_seen) VALUES (?, ?)`),
      seqs: db.prepare(`SELECT last_seq, state_seq, state_at, quota_day, quota_bytes FROM agents WHERE id=?`),
      // Occurrences the desk raised (origin 'desk') are not the agent's: its quota does not count them, its snapshots
      // do not resolve them, and its news never rewrites them.
      openCount: db.prepare(`SELECT COUNT(*) AS n FROM faults WHERE agent_id=? AND state != 'resolved' AND origin = 'agent'`),
      hasEvent: db.prepare(`SELECT 1 FROM events WHERE agent_id=? AND seq=?`),
      setQuota: db.prepare(`UPDATE agents SET quota_day=?, quota_bytes=? WHERE id=?`),
      limited: db.prepare(`UPDATE agents SET limited_kind=@kind, limited_detail=@detail, limited_at=@at,
          limited_count = CASE WHEN limited_kind=@kind THEN limited_count + @count ELSE @count END WHERE id=@id`),
      setLastSeq: db.prepare(`UPDATE agents SET last_seq=MAX(last_seq, ?), last_seen=? WHERE id=?`),
      setStateSeq: db.prepare(`UPDATE agents SET state_seq=?, state_at=?, last_seen=? WHERE id=?`),
      health: db.prepare(`UPDATE agents SET health=?, health_at=?, last_seen=? WHERE id=?`),
      insertEvent: db.prepare(`INSERT INTO events (agent_id, seq, kind, at, detected_at, received_at, fault_id, fault_key, code, severity, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getFault: db.prepare(`SELECT state, severity, max_severity, body, body_seq, detected_at, received_at, acknowledged_at, acknowledged_by, resolved_at, resolved_inferred FROM faults WHERE agent_id=? AND id=?`),
      upsertFault: db.prepare(`INSERT INTO faults (id, agent_id, fault_key, code, severity, max_severity, state, subject, check_id, title_zh, title_en, body, body_seq,
          detected_at, received_at, acknowledged_at, acknowledged_by, resolved_at, resolved_inferred, receipt_seconds, response_seconds, resolve_seconds, updated_at)
        VALUES (@id, @agent_id, @fault_key, @code, @severity, @max_severity, @state, @subject, @check_id, @title_zh, @title_en, @body, @body_seq,
          @detected_at, @received_at, @acknowledged_at, @acknowledged_by, @resolved_at, @resolved_inferred, @receipt_seconds, @response_seconds, @resolve_seconds, @updated_at)
        ON CONFLICT(agent_id, id) DO UPDATE SET severity=excluded.severity, max_severity=excluded.max_severity, state=excluded.state,
          subject=excluded.subject, check_id=excluded.check_id, title_zh=excluded.title_zh, title_en=excluded.title_en, body=excluded.body,
          body_seq=excluded.body_seq, detected_at=excluded.detected_at, acknowledged_at=excluded.acknowledged_at,
          acknowledged_by=excluded.acknowledged_by, resolved_at=excluded.resolved_at, resolved_inferred=excluded.resolved_inferred,
          receipt_seconds=excluded.receipt_seconds, response_seconds=excluded.response_seconds, resolve_seconds=excluded.resolve_seconds,
          updated_at=excluded.updated_at WHERE faults.origin = 'agent'`),
      activeOf: db.prepare(`SELECT id, detected_at, resolved_at FROM faults WHERE agent_id=? AND state != 'resolved' AND origin = 'agent'`),
      inferResolved: db.prepare(`UPDATE faults SET state='resolved', resolved_inferred=1, resolved_at=COALESCE(resolved_at, @at),
          resolve_seconds=ROUND((julianday(COALESCE(resolved_at, @at)) - julianday(detected_at)) * 86400, 1), updated_at=@now WHERE agent_id=@agent AND id=@id`),
      ackDelivered: db.prepare(`UPDATE acknowledgements SET delivered_at=?, outcome=? WHERE id=? AND agent_id=?`),
    };
  }

  apply(op: IngestOp): OpResult {
    const s = this.s;
    switch (op.kind) {
      case 'connected': {
        const a = op.agent;
        s.connected.run({
          id: a.id,
          site_code: a.site.fixmedins_code,
          site_name: a.site.fixmedins_name,
          admvs: a.site.mdtrtarea_admvs,
          terminal_id: a.site.terminalId,
          profile: a.profile,
          version: a.version,
          protocol: a.protocol,
          remote: a.remote ?? null,
          conn_id: op.connId,
          at: op.at,
        });
        return {};
      }
      case 'disconnected':
        s.disconnected.run(op.at, op.reason.slice(0, 300), op.agentId, op.connId);
        return {};
      case 'snapshot': {
        const seqs = this.seqs(op.agentId, op.at);
        const meter = this.meter(op.agentId, op.at, seqs);
        const ids = new Set<string>();
        for (const f of op.faults) {
          ids.add(f.id);
          this.merge({ agentId: op.agentId, fault: f, kind: 'snapshot', seq: op.asOfSeq, at: op.agentAt, receivedAt: op.at, seqs, meter });
        }
        const refused = this.finish(op.agentId, op.at, meter);
        // A complete snapshot is the whole active set: whatever else the desk thought open was resolved by then.
        if (!op.complete) return refused;
        for (const row of s.activeOf.all(op.agentId) as { id: string }[]) {
          if (!ids.has(row.id)) s.inferResolved.run({ agent: op.agentId, id: row.id, at: iso(op.agentAt), now: op.at });
        }
        s.setStateSeq.run(op.asOfSeq, iso(op.agentAt), op.at, op.agentId);
        return refused;
      }
      case 'events': {
        const seqs = this.seqs(op.agentId, op.at);
        const meter = this.meter(op.agentId, op.at, seqs);
        let inserted = 0;
        for (const e of op.events) {
          if (s.hasEvent.get(op.agentId, e.seq)) continue; // already committed: the desk deduplicates by (agent, seq)
          const body = JSON.stringify(e);
          const admitted = () => {
            s.insertEvent.run(op.agentId, e.seq, e.kind, e.at, iso(e.detectedAt), op.at, e.fault.id, e.fault.key, e.fault.code, e.fault.severity, body);
            inserted++;
          };
          this.merge({ agentId: op.agentId, fault: e.fault, kind: e.kind, seq: e.seq, at: e.at, receivedAt: op.at, seqs, meter, extraBytes: Buffer.byteLength(body), admitted });
        }
        // Refused events count as delivered too: the agent must not send them again and again.
        const last = op.events.at(-1)!.seq;
        s.setLastSeq.run(last, op.at, op.agentId);
        return { lastSeq: last, inserted, ...this.finish(op.agentId, op.at, meter) };
      }
      case 'heartbeat': {
        const seqs = this.seqs(op.agentId, op.at);
        s.health.run(JSON.stringify(op.health), op.at, op.at, op.agentId);
        // Critical faults re-asserted: a desk that lost them (restored database) learns them again.
        const unknown = op.critical.filter((f) => !s.getFault.get(op.agentId, f.id));
        if (!unknown.length) return {};
        const meter = this.meter(op.agentId, op.at, seqs);
        for (const f of unknown) {
          this.merge({ agentId: op.agentId, fault: f, kind: 'reassert', seq: 0, at: op.at, receivedAt: op.at, seqs: { state_seq: 0, state_at: null }, meter });
        }
        return this.finish(op.agentId, op.at, meter);
      }
      case 'limited':
        this.seqs(op.agentId, op.at);
        s.limited.run({ id: op.agentId, kind: op.limit, detail: op.detail.slice(0, 300), at: op.at, count: op.count });
        return {};
      case 'ack-delivered':
        s.ackDelivered.run(op.at, op.outcome, op.ackId, op.agentId);
        return {};
      case 'audit':
        this.seqs(op.agentId, op.at);
        return { audit: this.audit.apply(op.agentId, op.lines, op.at) };
    }
  }

  private seqs(agentId: string, at: string): AgentSeqs {
    let row = this.s.seqs.get(agentId) as AgentSeqs | undefined;
    if (!row) {
      this.s.ensureAgent.run(agentId, at);
      row = { last_seq: 0, state_seq: 0, state_at: null, quota_day: null, quota_bytes: 0 };
    }
    return row;
  }

  /** The agent's quotas for one operation: today's bytes so far (0 on a new day) and its open occurrences. */
  private meter(agentId: string, at: string, seqs: AgentSeqs): QuotaMeter {
    const bytes = seqs.quota_day === quotaDay(at) ? seqs.quota_bytes : 0;
    return new QuotaMeter((this.s.openCount.get(agentId) as { n: number }).n, bytes, this.quotas);
  }

  /** Stores the quota counters and records refusals on the agent's row (the engineer sees them in desk-cli agents). */
  private finish(agentId: string, at: string, meter: QuotaMeter): OpResult {
    this.s.setQuota.run(quotaDay(at), meter.storedBytes, agentId);
    const kinds = Object.keys(meter.refused) as QuotaKind[];
    for (const kind of kinds) {
      const count = meter.refused[kind]!;
      this.s.limited.run({ id: agentId, kind, detail: refusalText(kind, count, this.quotas), at, count });
    }
    return kinds.length ? { refused: meter.refused } : {};
  }

  /** Merges one piece of news into the occurrence's row, if the agent's quotas admit what it would store. */
  private merge(m: MergeInput): boolean {
    const f = m.fault;
    const row = this.s.getFault.get(m.agentId, f.id) as StoredFault | undefined;
    const next = mergeFault(row, { fault: f, kind: m.kind, seq: m.seq, at: m.at, receivedAt: m.receivedAt, stateSeq: m.seqs.state_seq, stateAt: m.seqs.state_at });
    // Only growth counts: a row rewritten in place takes no more room than before.
    const growth = (m.extraBytes ?? 0) + Math.max(0, Buffer.byteLength(next.body) - (row ? Buffer.byteLength(row.body) : 0));
    if (!m.meter.admit(growth, !row && next.state !== 'resolved')) return false;
    if (row && row.state !== 'resolved' && next.state === 'resolved') m.meter.resolved();
    m.admitted?.();
    this.s.upsertFault.run({
      id: f.id,
      agent_id: m.agentId,
      fault_key: f.key,
      code: f.code,
      subject: f.subject,
      check_id: f.checkId,
      title_zh: f.title.zh,
      title_en: f.title.en,
      ...next,
      updated_at: m.receivedAt,
    });
    return true;
  }
}
