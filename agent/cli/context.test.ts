import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksNeeded, contextFor, resolveConfig } from './context.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-context-'));
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
const write = (name: string, text: string): string => (writeFileSync(join(dir, name), text), join(dir, name));

describe('a command loads the checks its config names', () => {
  it('the embedded default needs the host checks; a file, the types it names', () => {
    expect(checksNeeded({ defaults: true })).toEqual(['disk', 'memory', 'clock']);
    const file = write('two.json', JSON.stringify({ site: SITE, checks: { usbkey: { type: 'token', tokens: [] }, clock: {} } }));
    expect(checksNeeded({ config: file })).toEqual(['token', 'clock']);
    expect(checksNeeded({}, { GUARDPOST_CONFIG: file })).toEqual(['token', 'clock']);
  });

  it('loads every check when the file cannot be read or parsed, so the loader reports it as ever', () => {
    expect(checksNeeded({ config: join(dir, 'missing.json') })).toBeUndefined();
    expect(checksNeeded({ config: write('bad.json', '{"checks": {') })).toBeUndefined();
  });

  it('binds the named checks to their plugins, and holds no other', async () => {
    const file = write('clock.json', JSON.stringify({ site: SITE, checks: { clock: {}, mem: { type: 'memory' } }, storage: { dir: join(dir, 'state') } }));
    const ctx = await contextFor({ config: file }, {});
    expect(ctx.plugins.map((p) => p.type)).toEqual(['memory', 'clock']);
    expect(ctx.knownTypes).toContain('token');
    const cfg = resolveConfig(ctx, { config: file });
    expect(cfg.checks.map((c) => [c.id, c.plugin.type])).toEqual([['clock', 'clock'], ['mem', 'memory']]);
  });
});
