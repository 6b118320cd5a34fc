import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { AuditChainBreak, AuditChainStatus, AuditIntake, AuditRecordRow } from './assist-types.js';
import { EMPTY_HEAD, judgeLine, type ChainHead } from './audit-chain.js';

/** The code of the occurrence the desk raises when an agent's audit chain breaks at the desk. */
export const AUDIT_CHAIN_FAULT = 'AUDIT_CHAIN_BROKEN';

const TITLE = { zh: '远程协助审计链断裂', en: 'remote-assistance audit chain broken' };

/**
 * Audit records from agents, applied inside the ingest transaction (the desk acknowledges them after the commit):
 * each line judged against the agent's stored chain (audit-chain.ts), stored unless refused, and every break both
 * kept in `audit_breaks` and shown to engineers as a desk-raised occurrence (AUDIT_CHAIN_BROKEN, major) of that
 * agent. One such occurrence stays open per agent: later breaks update it until an engineer acknowledges it, so an
 * agent sending broken lines by the thousand makes one fault, not thousands.
 */
export class SqliteAudit {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      head: db.prepare(`SELECT seq, line_hash FROM audit_records WHERE agent_id = ? ORDER BY id DESC LIMIT 1`),
      withSeq: db.prepare(`SELECT line FROM audit_records WHERE agent_id = ? AND seq = ?`),
      insert: db.prepare(`INSERT INTO audit_records (agent_id, seq, at, kind, line, line_hash, received_at, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertBreak: db.prepare(`INSERT INTO audit_breaks (agent_id, seq, kind, message, at) VALUES (?, ?, ?, ?, ?)`),
      ensureAgent: db.prepare(`INSERT OR IGNORE INTO agents (id, first_seen) VALUES (?, ?)`),
      openFault: db.prepare(`SELECT id, body FROM faults WHERE agent_id = ? AND origin = 'desk' AND code = '${AUDIT_CHAIN_FAULT}' AND state = 'open' LIMIT 1`),
      updateFault: db.prepare(`UPDATE faults SET body = ?, updated_at = ? WHERE agent_id = ? AND id = ?`),
      insertFault: db.prepare(`INSERT INTO faults (id, agent_id, fault_key, code, severity, max_severity, state, subject, check_id, title_zh, title_en, body, body_seq,
          detected_at, received_at, receipt_seconds, updated_at, origin)
        VALUES (@id, @agent, @key, '${AUDIT_CHAIN_FAULT}', 'major', 'major', 'open', 'audit', 'desk', @title_zh, @title_en, @body, 0, @at, @at, 0, @at, 'desk')`),
      lastSeq: db.prepare(`SELECT MAX(seq) AS seq, COUNT(*) AS n FROM audit_records WHERE agent_id = ?`),
      breaks: db.prepare(`SELECT COUNT(*) AS n FROM audit_breaks WHERE agent_id = ?`),
      lastBreak: db.prepare(`SELECT seq, message, at FROM audit_breaks WHERE agent_id = ? ORDER BY id DESC LIMIT 1`),
      records: db.prepare(`SELECT agent_id, seq, at, kind, line, received_at, chain FROM audit_records WHERE agent_id = ? AND seq > ? ORDER BY seq, id LIMIT ?`),
    };
  }

  /** One `audit` frame of `agentId`, received at `at`. */
  apply(agentId: string, lines: string[], at: string): AuditIntake {
    const s = this.s;
    const row = s.head.get(agentId) as { seq: number; line_hash: string } | undefined;
    let head: ChainHead = row ? { seq: row.seq, hash: row.line_hash } : EMPTY_HEAD;
    const intake: AuditIntake = { ackSeq: this.lastSeq(agentId), stored: 0, duplicates: 0, breaks: [] };
    let last: number | undefined;
    for (const line of lines) {
      const v = judgeLine(line, head, (seq) => (s.withSeq.all(agentId, seq) as { line: string }[]).map((r) => r.line));
      if (v.verdict === 'duplicate') {
        intake.duplicates++;
        last = v.seq;
        continue;
      }
      if (v.verdict === 'refuse') {
        intake.breaks.push(v.problem);
        if (v.seq !== null) last = v.seq;
        continue;
      }
      const r = v.record;
      s.insert.run(agentId, r.seq, r.at, r.kind, line, v.hash, at, v.chain);
      intake.stored++;
      head = { seq: r.seq, hash: v.hash };
      last = r.seq;
      if (v.problem) intake.breaks.push(v.problem);
    }
    // The agent waits for the acknowledgement of its frame's last record before it sends more; a refused record is
    // acknowledged too (sending it again would not make its hash right).
    if (last !== undefined) intake.ackSeq = last;
    if (intake.breaks.length) this.raise(agentId, intake.breaks, at);
    return intake;
  }

  lastSeq(agentId: string): number {
    return (this.s.lastSeq.get(agentId) as { seq: number | null }).seq ?? 0;
  }

  records(agentId: string, after: number, limit: number): AuditRecordRow[] {
    return (this.s.records.all(agentId, after, limit) as Record<string, any>[]).map((r) => ({
      agentId: r.agent_id,
      seq: r.seq,
      at: r.at,
      kind: r.kind,
      line: r.line,
      receivedAt: r.received_at,
      chain: r.chain,
    }));
  }

  status(agentId: string): AuditChainStatus {
    const totals = this.s.lastSeq.get(agentId) as { seq: number | null; n: number };
    const breaks = (this.s.breaks.get(agentId) as { n: number }).n;
    const last = this.s.lastBreak.get(agentId) as { seq: number | null; message: string; at: string } | undefined;
    return { lastSeq: totals.seq ?? 0, records: totals.n, intact: breaks === 0, breaks, lastBreak: last ? { at: last.at, seq: last.seq, message: last.message } : null };
  }

  /** Records the breaks and opens (or updates) the agent's chain occurrence. */
  private raise(agentId: string, breaks: AuditChainBreak[], at: string): void {
    const s = this.s;
    s.ensureAgent.run(agentId, at);
    for (const b of breaks) s.insertBreak.run(agentId, b.seq, b.kind, b.message, at);
    const latest = breaks.at(-1)!;
    const open = s.openFault.get(agentId) as { id: string; body: string } | undefined;
    const before = open ? ((JSON.parse(open.body) as { evidence?: { breaks?: number } }).evidence?.breaks ?? 0) : 0;
    const count = before + breaks.length;
    const body = JSON.stringify({
      detail: {
        zh: `服务台收到的审计记录不连续（${count} 处）；最近一处：${latest.message}`,
        en: `the audit records the desk received do not form one chain (${count} break${count > 1 ? 's' : ''}); the latest: ${latest.message}`,
      },
      evidence: { breaks: count, seq: latest.seq, kind: latest.kind, message: latest.message },
    });
    if (open) s.updateFault.run(body, at, agentId, open.id);
    else s.insertFault.run({ id: randomUUID(), agent: agentId, key: `desk:${agentId}:audit-chain`, title_zh: TITLE.zh, title_en: TITLE.en, body, at });
  }
}
