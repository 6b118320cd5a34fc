import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../cli/audit-command.js';
import { AUDIT_FILE, AuditLog } from './audit-log.js';
import { sealRecord } from './record.js';
import { verifyAudit } from './verify.js';

const dirOf = () => join(mkdtempSync(join(tmpdir(), 'gp-audit-')), 'audit');

async function fiveRecords(): Promise<{ dir: string; file: string; lines: string[] }> {
  const dir = dirOf();
  const log = await AuditLog.open(dir);
  await log.append('request', { session: 's1', engineer: '王工', kinds: ['diag'], reason: 'ticket 42' });
  await log.append('consent', { session: 's1', outcome: 'approved-by-operator' });
  await log.append('session-start', { session: 's1' });
  await log.append('diag-action', { session: 's1', action: 'status', summary: 'ok' });
  await log.append('session-end', { session: 's1', by: 'operator' });
  await log.close();
  const file = join(dir, AUDIT_FILE);
  return { dir, file, lines: readFileSync(file, 'utf8').trimEnd().split('\n') };
}

const write = (file: string, lines: string[]) => writeFileSync(file, `${lines.join('\n')}\n`);

describe('the audit log', () => {
  it('chains records, survives a restart, and keeps its files private', async () => {
    const { dir, file, lines } = await fiveRecords();
    expect(lines).toHaveLength(5);
    const again = await AuditLog.open(dir);
    const r = await again.append('forward-connection', { session: 's1', target: '127.0.0.1:5900', bytesIn: 10, bytesOut: 20, durationMs: 5 });
    await again.close();
    expect(r).toMatchObject({ seq: 6, kind: 'forward-connection', prev: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await verifyAudit(file)).toMatchObject({ intact: true, records: 6, lastSeq: 6 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses unknown kinds and reserved field names', async () => {
    const log = await AuditLog.open(dirOf());
    await expect(log.append('reboot' as never)).rejects.toThrow(/unknown audit kind/);
    await expect(log.append('request', { seq: 9 })).rejects.toThrow(/reserved/);
    await log.close();
  });

  it('verify names the first edited, inserted, removed or truncated record and its line', async () => {
    const { file, lines } = await fiveRecords();
    const edited = [...lines];
    edited[2] = edited[2]!.replace('"session":"s1"', '"session":"s9"');
    write(file, edited);
    expect((await verifyAudit(file)).problem).toMatchObject({ line: 3, kind: 'edited' });

    // A forged record with a good hash and the right prev, slipped in after line 2.
    const prevRecord = JSON.parse(lines[1]!) as { seq: number };
    const { createHash } = await import('node:crypto');
    const forged = sealRecord(prevRecord.seq + 1, new Date().toISOString(), 'consent', { session: 's1', outcome: 'approved-by-window' }, createHash('sha256').update(lines[1]!).digest('hex')).line;
    write(file, [...lines.slice(0, 2), forged, ...lines.slice(2)]);
    expect((await verifyAudit(file)).problem).toMatchObject({ line: 3, kind: 'inserted' });

    write(file, [...lines.slice(0, 2), ...lines.slice(3)]);
    expect((await verifyAudit(file)).problem).toMatchObject({ line: 3, kind: 'removed' });

    write(file, lines.slice(1));
    expect((await verifyAudit(file)).problem).toMatchObject({ line: 1, kind: 'removed' });

    writeFileSync(file, `${lines.slice(0, 4).join('\n')}\n${lines[4]!.slice(0, 30)}`);
    expect((await verifyAudit(file)).problem).toMatchObject({ line: 5, kind: 'truncated' });

    write(file, lines);
    expect(await verifyAudit(file)).toMatchObject({ intact: true, records: 5 });
  });

  it('cuts a torn last line at open, keeps its bytes, and goes on after the last whole record', async () => {
    const { dir, file, lines } = await fiveRecords();
    appendFileSync(file, '{"seq":6,"at":"2026-');
    const log = await AuditLog.open(dir);
    expect(log.recovered).toMatchObject({ line: 6, bytes: 20 });
    expect(readFileSync(log.recovered!.savedAs, 'utf8')).toBe('{"seq":6,"at":"2026-');
    expect(readdirSync(dir).some((n) => n.startsWith(`${AUDIT_FILE}.torn-`))).toBe(true);
    expect((await log.append('session-end', { session: 's1', by: 'agent-restart' })).seq).toBe(6);
    await log.close();
    expect(await verifyAudit(file)).toMatchObject({ intact: true, records: 6 });
    expect(readFileSync(file, 'utf8').split('\n').slice(0, 5)).toEqual(lines);
  });

  it('guardpost audit verify: exit 0 intact, 1 tampered', async () => {
    const { file, lines } = await fiveRecords();
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), env: {} };
    expect(await auditCommand(['verify', file], io)).toBe(0);
    write(file, [...lines.slice(0, 3), ...lines.slice(4)]);
    expect(await auditCommand(['verify', file], io)).toBe(1);
    expect(out.at(-1)).toMatch(/removed.*line 4/);
  });
});

describe('reading the audit log for delivery', () => {
  it('returns the exact lines after a seq, within the line and byte limits, and continues where it stopped', async () => {
    const dir = dirOf();
    const log = await AuditLog.open(dir);
    // Lines of varied length, multi-byte text included, across more than one 64 KiB read.
    for (let i = 1; i <= 400; i++) await log.append('diag-action', { session: 's', action: 'status', summary: '读卡器'.repeat(i % 50) });
    const onDisk = readFileSync(join(dir, AUDIT_FILE), 'utf8').trimEnd().split('\n');
    const got: string[] = [];
    let after = 0;
    for (;;) {
      const batch = await log.linesAfter(after, 150, 20_000);
      if (!batch.length) break;
      expect(batch.length).toBeLessThanOrEqual(150);
      expect(batch[0]!.seq).toBe(after + 1);
      got.push(...batch.map((b) => b.line));
      after = batch.at(-1)!.seq;
    }
    expect(got).toEqual(onDisk);
    // From an arbitrary seq (not where the last read stopped): scanned from the start, still exact.
    expect((await log.linesAfter(123, 2, 1 << 20)).map((b) => b.line)).toEqual(onDisk.slice(123, 125));
    // One line larger than maxBytes still comes alone, so delivery never stalls.
    expect(await log.linesAfter(49, 10, 10)).toHaveLength(1);
    let told = 0;
    log.onAppend(() => told++);
    await log.append('session-end', { session: 's', by: 'operator' });
    expect(told).toBe(1);
    expect((await log.linesAfter(400, 10, 1 << 20)).map((b) => b.seq)).toEqual([401]);
    await log.close();
  });
});
