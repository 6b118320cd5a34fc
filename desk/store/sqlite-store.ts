import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteIngest } from './sqlite-ingest.js';
import { getFault, listAgents, listFaults, occurrences, timeline, toAck } from './sqlite-queries.js';
import { SCHEMA, SCHEMA_VERSION } from './sqlite-schema.js';
import type { AckRecord, DeskStore, FaultQuery, IngestOp, OpResult } from './types.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The embedded desk store: SQLite in WAL mode with synchronous=FULL, so a committed transaction survives a crash
 * or a power cut; the desk acknowledges events to agents only after that commit.
 */
export class SqliteDeskStore implements DeskStore {
  private readonly db: Database.Database;
  private readonly ingest: SqliteIngest;
  private readonly applyTx: (ops: IngestOp[]) => OpResult[];
  private readonly lastSeqStmt;
  private syncMode = 'FULL';

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const version = (this.db.prepare(`SELECT value FROM meta WHERE key = 'schema'`).get() as { value: string } | undefined)?.value;
    if (version === undefined) this.db.prepare(`INSERT INTO meta (key, value) VALUES ('schema', ?)`).run(String(SCHEMA_VERSION));
    else if (Number(version) > SCHEMA_VERSION) throw new Error(`${path}: database schema ${version} is newer than this desk (${SCHEMA_VERSION})`);
    this.ingest = new SqliteIngest(this.db);
    this.applyTx = this.db.transaction((ops: IngestOp[]) => ops.map((op) => this.ingest.apply(op)));
    this.lastSeqStmt = this.db.prepare(`SELECT last_seq FROM agents WHERE id = ?`);
  }

  lastCommittedSeq(agentId: string): number {
    return (this.lastSeqStmt.get(agentId) as { last_seq: number } | undefined)?.last_seq ?? 0;
  }

  apply(ops: IngestOp[], durable = true): OpResult[] {
    // WAL: a NORMAL commit is safe from a crash of this process but waits for the next fsync to be safe from a power
    // cut; a FULL commit fsyncs the log, and with it every earlier commit. 2 ms per fsync here: only events pay it.
    const mode = durable ? 'FULL' : 'NORMAL';
    if (mode !== this.syncMode) {
      this.db.pragma(`synchronous = ${mode}`);
      this.syncMode = mode;
    }
    return this.applyTx(ops);
  }

  markAllOffline(at: string): void {
    this.db.prepare(`UPDATE agents SET online = 0, disconnected_at = ?, disconnect_reason = 'desk restarted' WHERE online = 1`).run(at);
  }

  acknowledge(faultId: string, by: string, note: string | null, at: string): AckRecord | { error: 'not-found' | 'resolved' } {
    return this.db.transaction(() => {
      const f = this.db.prepare(`SELECT agent_id, fault_key, state, detected_at FROM faults WHERE id = ?`).get(faultId) as
        | { agent_id: string; fault_key: string; state: string; detected_at: string }
        | undefined;
      if (!f) return { error: 'not-found' as const };
      if (f.state === 'resolved') return { error: 'resolved' as const };
      const r = this.db
        .prepare(`INSERT INTO acknowledgements (fault_id, agent_id, fault_key, by, note, at) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(faultId, f.agent_id, f.fault_key, by, note, at);
      this.db
        .prepare(
          `UPDATE faults SET state = 'acknowledged', acknowledged_at = COALESCE(acknowledged_at, @at), acknowledged_by = COALESCE(acknowledged_by, @by),
            response_seconds = COALESCE(response_seconds, ROUND((julianday(@at) - julianday(detected_at)) * 86400, 1)), updated_at = @at WHERE id = @id`,
        )
        .run({ at, by, id: faultId });
      return toAck(this.db.prepare(`SELECT * FROM acknowledgements WHERE id = ?`).get(r.lastInsertRowid) as Record<string, unknown>);
    })();
  }

  pendingAcks(agentId: string): AckRecord[] {
    return (this.db.prepare(`SELECT * FROM acknowledgements WHERE agent_id = ? AND delivered_at IS NULL ORDER BY id`).all(agentId) as Record<string, unknown>[]).map(toAck);
  }

  listAgents(q?: { site?: string; online?: boolean }) {
    return listAgents(this.db, q);
  }

  getFault(id: string) {
    return getFault(this.db, id);
  }

  resolveFaultId(ref: string): string | undefined | 'ambiguous' {
    if (!/^[A-Za-z0-9-]{4,128}$/.test(ref)) return undefined;
    const rows = this.db.prepare(`SELECT id FROM faults WHERE id >= ? AND id < ? LIMIT 2`).all(ref, `${ref}\uffff`) as { id: string }[];
    const exact = rows.find((r) => r.id === ref);
    if (exact) return exact.id;
    return rows.length === 1 ? rows[0]!.id : rows.length > 1 ? 'ambiguous' : undefined;
  }

  listFaults(q: FaultQuery) {
    return listFaults(this.db, q);
  }

  timeline(faultId: string) {
    return timeline(this.db, faultId);
  }

  occurrences(from: string, to: string) {
    return occurrences(this.db, from, to);
  }

  createToken(name: string, at: string): string {
    const token = `gpd_${randomBytes(32).toString('base64url')}`;
    const existing = this.db.prepare(`SELECT revoked_at FROM tokens WHERE name = ?`).get(name) as { revoked_at: string | null } | undefined;
    if (existing && existing.revoked_at === null) throw new Error(`a token named "${name}" exists; revoke it first (guardpost desk-cli token revoke ${name})`);
    this.db.prepare(`INSERT OR REPLACE INTO tokens (name, hash, created_at) VALUES (?, ?, ?)`).run(name, hashToken(token), at);
    return token;
  }

  revokeToken(name: string, at: string): boolean {
    return this.db.prepare(`UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`).run(at, name).changes > 0;
  }

  listTokens() {
    return (this.db.prepare(`SELECT name, created_at, last_used_at, revoked_at FROM tokens ORDER BY name`).all() as Record<string, string | null>[]).map((r) => ({
      name: r.name!,
      createdAt: r.created_at!,
      lastUsedAt: r.last_used_at ?? null,
      revokedAt: r.revoked_at ?? null,
    }));
  }

  verifyToken(token: string, at: string): string | null {
    const row = this.db.prepare(`SELECT name, last_used_at FROM tokens WHERE hash = ? AND revoked_at IS NULL`).get(hashToken(token)) as
      | { name: string; last_used_at: string | null }
      | undefined;
    if (!row) return null;
    // At most one write a minute per token, not one per request.
    if (!row.last_used_at || Date.parse(at) - Date.parse(row.last_used_at) > 60_000) this.db.prepare(`UPDATE tokens SET last_used_at = ? WHERE name = ?`).run(at, row.name);
    return row.name;
  }

  close(): void {
    this.db.close();
  }
}
