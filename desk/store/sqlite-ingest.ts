import type Database from 'better-sqlite3';
import type { Fault } from '../../agent/core/faults/types.js';
import { iso, mergeFault, type NewsKind, type StoredFault } from './fault-merge.js';
import type { IngestOp, OpResult } from './types.js';

interface AgentSeqs {
  last_seq: number;
  state_seq: number;
  state_at: string | null;
}

/** Applies ingest operations with prepared statements; the store wraps apply() in a transaction. */
export class SqliteIngest {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      connected: db.prepare(`INSERT INTO agents (id, site_code, site_name, admvs, terminal_id, profile, version, protocol, remote, online, conn_id, connected_at, last_seen, first_seen)
        VALUES (@id, @site_code, @site_name, @admvs, @terminal_id, @profile, @version, @protocol, @remote, 1, @conn_id, @at, @at, @at)
        ON CONFLICT(id) DO UPDATE SET site_code=excluded.site_code, site_name=excluded.site_name, admvs=excluded.admvs,
          terminal_id=excluded.terminal_id, profile=excluded.profile, version=excluded.version, protocol=excluded.protocol,
          remote=excluded.remote, online=1, conn_id=excluded.conn_id, connected_at=excluded.connected_at, last_seen=excluded.last_seen`),
      disconnected: db.prepare(`UPDATE agents SET online=0, disconnected_at=?, disconnect_reason=? WHERE id=? AND conn_id=?`),
      ensureAgent: db.prepare(`INSERT OR IGNORE INTO agents (id, first_seen) VALUES (?, ?)`),
      seqs: db.prepare(`SELECT last_seq, state_seq, state_at FROM agents WHERE id=?`),
      setLastSeq: db.prepare(`UPDATE agents SET last_seq=MAX(last_seq, ?), last_seen=? WHERE id=?`),
      setStateSeq: db.prepare(`UPDATE agents SET state_seq=?, state_at=?, last_seen=? WHERE id=?`),
      health: db.prepare(`UPDATE agents SET health=?, health_at=?, last_seen=? WHERE id=?`),
      insertEvent: db.prepare(`INSERT OR IGNORE INTO events (agent_id, seq, kind, at, detected_at, received_at, fault_id, fault_key, code, severity, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getFault: db.prepare(`SELECT agent_id, state, severity, max_severity, body, body_seq, detected_at, received_at, acknowledged_at, acknowledged_by, resolved_at, resolved_inferred FROM faults WHERE id=?`),
      upsertFault: db.prepare(`INSERT INTO faults (id, agent_id, fault_key, code, severity, max_severity, state, subject, check_id, title_zh, title_en, body, body_seq,
          detected_at, received_at, acknowledged_at, acknowledged_by, resolved_at, resolved_inferred, receipt_seconds, response_seconds, resolve_seconds, updated_at)
        VALUES (@id, @agent_id, @fault_key, @code, @severity, @max_severity, @state, @subject, @check_id, @title_zh, @title_en, @body, @body_seq,
          @detected_at, @received_at, @acknowledged_at, @acknowledged_by, @resolved_at, @resolved_inferred, @receipt_seconds, @response_seconds, @resolve_seconds, @updated_at)
        ON CONFLICT(id) DO UPDATE SET severity=excluded.severity, max_severity=excluded.max_severity, state=excluded.state,
          subject=excluded.subject, check_id=excluded.check_id, title_zh=excluded.title_zh, title_en=excluded.title_en, body=excluded.body,
          body_seq=excluded.body_seq, detected_at=excluded.detected_at, acknowledged_at=excluded.acknowledged_at,
          acknowledged_by=excluded.acknowledged_by, resolved_at=excluded.resolved_at, resolved_inferred=excluded.resolved_inferred,
          receipt_seconds=excluded.receipt_seconds, response_seconds=excluded.response_seconds, resolve_seconds=excluded.resolve_seconds,
          updated_at=excluded.updated_at`),
      activeOf: db.prepare(`SELECT id, detected_at, resolved_at FROM faults WHERE agent_id=? AND state != 'resolved'`),
      inferResolved: db.prepare(`UPDATE faults SET state='resolved', resolved_inferred=1, resolved_at=COALESCE(resolved_at, @at),
          resolve_seconds=ROUND((julianday(COALESCE(resolved_at, @at)) - julianday(detected_at)) * 86400, 1), updated_at=@now WHERE id=@id`),
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
        const ids = new Set<string>();
        for (const f of op.faults) {
          ids.add(f.id);
          this.merge(op.agentId, f, 'snapshot', op.asOfSeq, op.agentAt, op.at, seqs);
        }
        // A complete snapshot is the whole active set: whatever else the desk thought open was resolved by then.
        if (!op.complete) return {};
        for (const row of s.activeOf.all(op.agentId) as { id: string }[]) {
          if (!ids.has(row.id)) s.inferResolved.run({ id: row.id, at: iso(op.agentAt), now: op.at });
        }
        s.setStateSeq.run(op.asOfSeq, iso(op.agentAt), op.at, op.agentId);
        return {};
      }
      case 'events': {
        const seqs = this.seqs(op.agentId, op.at);
        let inserted = 0;
        for (const e of op.events) {
          const r = s.insertEvent.run(op.agentId, e.seq, e.kind, e.at, iso(e.detectedAt), op.at, e.fault.id, e.fault.key, e.fault.code, e.fault.severity, JSON.stringify(e));
          if (r.changes === 0) continue; // already committed: the desk deduplicates by (agent, seq)
          inserted++;
          this.merge(op.agentId, e.fault, e.kind, e.seq, e.at, op.at, seqs);
        }
        const last = op.events.at(-1)!.seq;
        s.setLastSeq.run(last, op.at, op.agentId);
        return { lastSeq: last, inserted };
      }
      case 'heartbeat': {
        this.seqs(op.agentId, op.at);
        s.health.run(JSON.stringify(op.health), op.at, op.at, op.agentId);
        // Critical faults re-asserted: a desk that lost them (restored database) learns them again.
        for (const f of op.critical) {
          if (!s.getFault.get(f.id)) this.merge(op.agentId, f, 'reassert', 0, op.at, op.at, { last_seq: 0, state_seq: 0, state_at: null });
        }
        return {};
      }
      case 'ack-delivered':
        s.ackDelivered.run(op.at, op.outcome, op.ackId, op.agentId);
        return {};
    }
  }

  private seqs(agentId: string, at: string): AgentSeqs {
    let row = this.s.seqs.get(agentId) as AgentSeqs | undefined;
    if (!row) {
      this.s.ensureAgent.run(agentId, at);
      row = { last_seq: 0, state_seq: 0, state_at: null };
    }
    return row;
  }

  private merge(agentId: string, f: Fault, kind: NewsKind, seq: number, at: string, receivedAt: string, seqs: AgentSeqs): void {
    const row = this.s.getFault.get(f.id) as (StoredFault & { agent_id: string }) | undefined;
    // Occurrence ids come from agents: one agent must never change another agent's fault.
    if (row && row.agent_id !== agentId) return;
    const next = mergeFault(row, { fault: f, kind, seq, at, receivedAt, stateSeq: seqs.state_seq, stateAt: seqs.state_at });
    this.s.upsertFault.run({
      id: f.id,
      agent_id: agentId,
      fault_key: f.key,
      code: f.code,
      subject: f.subject,
      check_id: f.checkId,
      title_zh: f.title.zh,
      title_en: f.title.en,
      ...next,
      updated_at: receivedAt,
    });
  }
}
