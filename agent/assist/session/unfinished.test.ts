import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_FILE, AuditLog } from '../audit/audit-log.js';
import { verifyAudit } from '../audit/verify.js';
import { closeUnfinishedSessions } from './unfinished.js';

describe('sessions a dead agent never ended', () => {
  it('get their end at the next start (cause agent-restart), once, and the chain stays intact', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gp-unfinished-')), 'audit');
    const before = await AuditLog.open(dir);
    await before.append('session-start', { session: 'ended', engineer: '王工' });
    await before.append('session-end', { session: 'ended', cause: 'engineer', by: '王工' });
    await before.append('session-start', { session: 'cut-off', engineer: '李工' });
    await before.append('diag-action', { session: 'cut-off', action: 'status' });
    await before.close(); // the process dies here: no session-end for cut-off

    const after = await AuditLog.open(dir);
    expect(await closeUnfinishedSessions(after)).toBe(1);
    expect(await closeUnfinishedSessions(after)).toBe(0);
    await after.close();
    const file = join(dir, AUDIT_FILE);
    const last = JSON.parse(readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)!);
    expect(last).toMatchObject({ seq: 5, kind: 'session-end', session: 'cut-off', cause: 'agent-restart', by: 'agent', engineer: '李工' });
    expect(await verifyAudit(file)).toMatchObject({ intact: true, records: 5 });
  });
});
