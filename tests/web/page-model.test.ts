import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Fault, FaultTransition } from '../../agent/core/faults/types.js';
import { escapeLabel } from '../../agent/web/metrics-text.js';
import { faultViews, historyEntries, openedSeqs, transitionDelivery } from '../../agent/web/page-model.js';
import { ASSETS } from '../../agent/web/static/assets.js';
import { renderIndexHtml } from '../../agent/web/static/index-html.js';
import { localTime, withoutUserInfo } from '../../agent/web/diagnostics.js';

function fault(id: string, over: Partial<Fault> = {}): Fault {
  return {
    id,
    key: `k-${id}`,
    code: 'BACKUP_MISSING',
    severity: 'critical',
    title: { zh: '找不到备份', en: 'Backup missing' },
    detail: { zh: 'd', en: 'd' },
    checkId: 'backup',
    subject: '/data/*',
    labels: {},
    evidence: {},
    firstSeen: '2026-05-01T02:00:00.000Z',
    lastSeen: '2026-05-01T02:00:00.000Z',
    occurrences: 1,
    state: 'open',
    inhibitedBy: [],
    ...over,
  };
}

const tr = (seq: number, kind: FaultTransition['kind'], f: Fault): FaultTransition => ({ seq, kind, at: f.firstSeen, detectedAt: f.firstSeen, fault: f });

describe('page model', () => {
  it('delivery: no desk, waiting until the cumulative ack covers the opening seq, acknowledged by a person', () => {
    const connected = (ackedSeq?: number) => ({ state: 'connected' as const, ...(ackedSeq !== undefined ? { ackedSeq } : {}) });
    expect(transitionDelivery(5, { state: 'disabled' })).toBe('no-desk');
    expect(transitionDelivery(5, connected())).toBe('waiting');
    expect(transitionDelivery(5, connected(4))).toBe('waiting');
    expect(transitionDelivery(5, connected(5))).toBe('received');
    expect(transitionDelivery(undefined, connected())).toBe('received'); // opened before this start, already acked
    expect(transitionDelivery(5, { state: 'disconnected', ackedSeq: 9 })).toBe('received');

    const a = fault('a');
    const b = fault('b', { state: 'acknowledged', acknowledgedBy: 'desk' });
    const opened = openedSeqs([tr(7, 'opened', a)], [tr(3, 'opened', b), tr(4, 'updated', b)]);
    const catalogue = { get: () => ({ operator: { zh: '请插好备份盘', en: 'plug in the backup disk' } }) as never };
    const views = faultViews([a, b], catalogue, connected(6), opened);
    expect(views.map((v) => [v.id, v.delivery, v.openedSeq])).toEqual([
      ['a', 'waiting', 7],
      ['b', 'acknowledged', 3],
    ]);
    expect(views[0]!.operator.zh).toBe('请插好备份盘');
    expect(faultViews([a], { get: () => undefined }, connected(), opened)[0]!.operator.zh).toContain('服务热线');
  });

  it('history merges the outbox and the ring by seq, newest first, bounded', () => {
    const f = fault('a');
    const ring = [tr(1, 'opened', f), tr(2, 'updated', f), tr(3, 'resolved', f)];
    const outbox = [tr(2, 'updated', f), tr(3, 'resolved', f), tr(4, 'opened', fault('c', { code: 'DISK_SPACE_LOW', severity: 'minor' }))];
    const h = historyEntries(outbox, ring, { state: 'connected', ackedSeq: 2 }, 3);
    expect(h.map((e) => [e.seq, e.kind, e.code, e.delivery])).toEqual([
      [4, 'opened', 'DISK_SPACE_LOW', 'waiting'],
      [3, 'resolved', 'BACKUP_MISSING', 'waiting'],
      [2, 'updated', 'BACKUP_MISSING', 'received'],
    ]);
  });

  it('metric label values are escaped; diagnostics show local time and drop URL user-info', () => {
    expect(escapeLabel('C:\\data "x"\nnext')).toBe('C:\\\\data \\"x\\"\\nnext');
    expect(withoutUserInfo('wss://user:pw@desk.example:443/agent')).toBe('wss://desk.example:443/agent');
    expect(localTime('2026-05-01T02:03:04.000Z')).toMatch(/^2026-05-01 \d\d:03:04 [+-]\d\d:\d\d$/);
    expect(localTime(undefined)).toBe('-');
  });
});

describe('page assets', () => {
  it('every script is valid module syntax for node --check (they are strings in TS: no compiler looks at them)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-assets-'));
    try {
      for (const [name, a] of ASSETS) {
        if (!name.endsWith('.js')) continue;
        const file = join(dir, name.replace(/\.js$/, '.mjs'));
        writeFileSync(file, a.body);
        const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
        expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the page template only takes URL-safe tokens', () => {
    expect(renderIndexHtml('abc_-1', '0f0e-12')).toContain('content="abc_-1"');
    expect(() => renderIndexHtml('"><script>', '0f0e')).toThrow(/unexpected characters/);
  });
});
