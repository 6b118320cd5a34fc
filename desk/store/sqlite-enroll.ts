import type Database from 'better-sqlite3';
import { createHash, randomInt } from 'node:crypto';

/** Letters and digits an engineer can read out over the phone: no 0/O, 1/I/L. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A new code: 4 groups of 4 (about 79 bits), e.g. K7QM-3XRD-P9TB-HW4E. */
export function newEnrollCode(): string {
  const groups = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''));
  return groups.join('-');
}

/** Case and dashes do not matter when a code is typed. */
export const normaliseCode = (code: string): string => code.toUpperCase().replace(/[^A-Z0-9]/g, '');
const hashCode = (code: string): string => createHash('sha256').update(normaliseCode(code)).digest('hex');

export type RedeemRefusal = 'unknown' | 'used' | 'expired' | 'other-site';

export interface EnrollCodeRow {
  site: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedByAgent: string | null;
}

export interface CertRecord {
  serial: string;
  agentId: string;
  via: 'enroll' | 'issue' | 'renew';
  issuedAt: string;
  notAfter: string;
}

/** Enrollment codes, issued certificates and revocations (enroll-schema.ts). */
export class SqliteEnroll {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      insertCode: db.prepare(`INSERT INTO enroll_codes (code_hash, site, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
      code: db.prepare(`SELECT site, created_by AS createdBy, created_at AS createdAt, expires_at AS expiresAt, used_at AS usedAt, used_by_agent AS usedByAgent FROM enroll_codes WHERE code_hash = ?`),
      useCode: db.prepare(`UPDATE enroll_codes SET used_at = ?, used_by_agent = ?, used_from = ? WHERE code_hash = ? AND used_at IS NULL`),
      insertCert: db.prepare(`INSERT INTO agent_certs (serial, agent_id, via, issued_at, not_after) VALUES (@serial, @agentId, @via, @issuedAt, @notAfter)`),
      revokeOthers: db.prepare(`UPDATE agent_certs SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE agent_id = ? AND serial != ? AND revoked_at IS NULL`),
      revokeAll: db.prepare(`UPDATE agent_certs SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE agent_id = ? AND revoked_at IS NULL`),
      cert: db.prepare(`SELECT agent_id AS agentId, revoked_at AS revokedAt FROM agent_certs WHERE serial = ?`),
      revocation: db.prepare(`SELECT revoked_at AS revokedAt FROM agent_revocations WHERE agent_id = ?`),
      insertRevocation: db.prepare(`INSERT INTO agent_revocations (agent_id, revoked_at, revoked_by) VALUES (?, ?, ?)
        ON CONFLICT(agent_id) DO UPDATE SET revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by`),
      certs: db.prepare(`SELECT serial, via, issued_at AS issuedAt, not_after AS notAfter, revoked_at AS revokedAt, revoke_reason AS revokeReason FROM agent_certs WHERE agent_id = ? ORDER BY issued_at`),
    };
  }

  /** A new code for the site, valid until `expiresAt`; the code itself is returned once and only its hash kept. */
  createCode(site: string, by: string, at: string, expiresAt: string): string {
    const code = newEnrollCode();
    this.s.insertCode.run(hashCode(code), site, by, at, expiresAt);
    return code;
  }

  /** Checks a code without using it. */
  lookup(code: string): EnrollCodeRow | undefined {
    return this.s.code.get(hashCode(code)) as EnrollCodeRow | undefined;
  }

  /**
   * Uses the code for `agentId` and records the certificate issued for it, in one transaction; the terminal's older
   * certificates are revoked (re-enrollment replaces its identity). Refused: unknown, used, expired, or an agent id
   * outside the code's site.
   */
  redeem(code: string, agentId: string, from: string, at: string, cert: Omit<CertRecord, 'agentId' | 'via'>): { site: string } | { refused: RedeemRefusal } {
    return this.db.transaction(() => {
      const row = this.lookup(code);
      if (!row) return { refused: 'unknown' as const };
      if (row.usedAt) return { refused: 'used' as const };
      if (Date.parse(row.expiresAt) <= Date.parse(at)) return { refused: 'expired' as const };
      if (!agentId.startsWith(row.site)) return { refused: 'other-site' as const };
      this.s.useCode.run(at, agentId, from, hashCode(code));
      this.record({ ...cert, agentId, via: 'enroll' }, 'enrolled again');
      return { site: row.site };
    })();
  }

  /** Records a certificate issued for an agent; with `replacing`, the agent's other certificates are revoked. */
  record(cert: CertRecord, replacing?: string): void {
    this.s.insertCert.run(cert);
    if (replacing) this.s.revokeOthers.run(cert.issuedAt, 'desk', replacing, cert.agentId, cert.serial);
  }

  /** Revokes every certificate of the agent, and any the desk has no record of. */
  revokeAgent(agentId: string, by: string, at: string): number {
    return this.db.transaction(() => {
      this.s.insertRevocation.run(agentId, at, by);
      return this.s.revokeAll.run(at, by, 'revoked', agentId).changes;
    })();
  }

  /** Why this certificate of this agent must be refused, or null. */
  refusal(agentId: string, serial: string): string | null {
    const cert = this.s.cert.get(serial.toLowerCase()) as { agentId: string; revokedAt: string | null } | undefined;
    if (cert) return cert.revokedAt ? `certificate ${serial} of ${agentId} was revoked at ${cert.revokedAt}` : null;
    const revoked = this.s.revocation.get(agentId) as { revokedAt: string } | undefined;
    return revoked ? `${agentId} was revoked at ${revoked.revokedAt}; this certificate is not one the desk issued since` : null;
  }

  certs(agentId: string): (CertRecord & { revokedAt: string | null; revokeReason: string | null })[] {
    return this.s.certs.all(agentId) as (CertRecord & { revokedAt: string | null; revokeReason: string | null })[];
  }
}
