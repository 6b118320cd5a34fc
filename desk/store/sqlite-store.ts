import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DESK_LIMIT_DEFAULTS } from '../../agent/tunnel/protocol/constants.js';
import { createPrivateFile, PRIVATE_DIR, tightenAll } from '../file-modes.js';
import type { AssistStore } from './assist-types.js';
import type { Quotas } from './quota.js';
import { SqliteAssist } from './sqlite-assist.js';
import { SqliteAudit } from './sqlite-audit.js';
import { SqliteDeskFaults } from './sqlite-desk-faults.js';
import { SqliteEnroll } from './sqlite-enroll.js';
import { SqliteTickets } from '../tickets/ticket-store.js';
import { SqliteNotify } from './sqlite-notify.js';
import { SqliteIngest } from './sqlite-ingest.js';
import { findFault, getFault, listAgents, listFaults, occurrences, timeline, toAck } from './sqlite-queries.js';
import { prepareSchema } from './sqlite-schema.js';
import type { AckRecord, DeskStore, FaultLookup, FaultQuery, FaultRef, IngestOp, OpResult } from './types.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** SQLite's files besides the database: its write-ahead log, shared-memory index and (rollback) journal. */
export const sidecarFiles = (path: string) => [`${path}-wal`, `${path}-shm`, `${path}-journal`];

/**
 * The embedded desk store: SQLite in WAL mode with synchronous=FULL, so a committed transaction survives a crash
 * or a power cut; the desk acknowledges events to agents only after that commit. Its files are owner-only: the
 * database is created 0600 before SQLite opens it (SQLite gives its -wal and -shm the database's mode), and older
 * files are tightened on open.
 */
export class SqliteDeskStore implements DeskStore {
  private readonly db: Database.Database;
  private readonly ingest: SqliteIngest;
  private readonly applyTx: (ops: IngestOp[]) => OpResult[];
  private readonly lastSeqStmt;
  private syncMode = 'FULL';
  readonly assist: AssistStore;
  readonly notify: SqliteNotify;
  readonly deskFaults: SqliteDeskFaults;
  readonly enroll: SqliteEnroll;
  readonly tickets: SqliteTickets;

  /** Files whose modes were tightened when the store opened (existing ones from before owner-only modes). */
  readonly tightened: string[];

  constructor(
    readonly path: string,
    quotas: Quotas = DESK_LIMIT_DEFAULTS,
  ) {
    // A missing directory is made owner-only; an existing one is the operator's (the desk tightens its own at start).
    mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR });
    createPrivateFile(path);
    this.tightened = tightenAll(sidecarFiles(path), []);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    prepareSchema(this.db, path);
    const audit = new SqliteAudit(this.db);
    this.ingest = new SqliteIngest(this.db, quotas, audit);
    this.assist = new SqliteAssist(this.db, audit);
    this.notify = new SqliteNotify(this.db);
    this.deskFaults = new SqliteDeskFaults(this.db);
    this.enroll = new SqliteEnroll(this.db);
    this.tickets = new SqliteTickets(this.db);
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

  acknowledge(ref: FaultRef, by: string, note: string | null, at: string): AckRecord | { error: 'not-found' | 'resolved' } {
    return this.db.transaction(() => {
      const f = this.db.prepare(`SELECT fault_key, state FROM faults WHERE agent_id = ? AND id = ?`).get(ref.agentId, ref.id) as { fault_key: string; state: string } | undefined;
      if (!f) return { error: 'not-found' as const };
      if (f.state === 'resolved') return { error: 'resolved' as const };
      const r = this.db
        .prepare(`INSERT INTO acknowledgements (fault_id, agent_id, fault_key, by, note, at) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(ref.id, ref.agentId, f.fault_key, by, note, at);
      this.db
        .prepare(
          `UPDATE faults SET state = 'acknowledged', acknowledged_at = COALESCE(acknowledged_at, @at), acknowledged_by = COALESCE(acknowledged_by, @by),
            response_seconds = COALESCE(response_seconds, ROUND((julianday(@at) - julianday(detected_at)) * 86400, 1)), updated_at = @at
           WHERE agent_id = @agent AND id = @id`,
        )
        .run({ at, by, agent: ref.agentId, id: ref.id });
      return toAck(this.db.prepare(`SELECT * FROM acknowledgements WHERE id = ?`).get(r.lastInsertRowid) as Record<string, unknown>);
    })();
  }

  pendingAcks(agentId: string): AckRecord[] {
    return (this.db.prepare(`SELECT * FROM acknowledgements WHERE agent_id = ? AND delivered_at IS NULL ORDER BY id`).all(agentId) as Record<string, unknown>[]).map(toAck);
  }

  listAgents(q?: { site?: string; online?: boolean }) {
    return listAgents(this.db, q);
  }

  getFault(ref: FaultRef) {
    return getFault(this.db, ref);
  }

  findFault(text: string): FaultLookup {
    return findFault(this.db, text);
  }

  listFaults(q: FaultQuery) {
    return listFaults(this.db, q);
  }

  timeline(ref: FaultRef) {
    return timeline(this.db, ref);
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
