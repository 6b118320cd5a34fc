import { describe, expect, it } from 'vitest';
import { checkTypesNamed } from './named-checks.js';

describe('checkTypesNamed: which plugins a config needs, before it is validated', () => {
  it('names each entry by its type, else by its id, unknown names included', () => {
    expect(checkTypesNamed({ checks: { disk: {}, usbkey: { type: 'token' }, 'till-reader': { type: 'reader' }, dsik: {} } })).toEqual(['disk', 'token', 'reader', 'dsik']);
  });

  it('is empty for a config without checks, and for empty inhibit rules', () => {
    expect(checkTypesNamed({ site: {} })).toEqual([]);
    expect(checkTypesNamed({ checks: { clock: {} }, inhibitRules: [] })).toEqual(['clock']);
  });

  it('asks for every plugin when inhibit rules may name any check\'s faults, or the document is malformed', () => {
    expect(checkTypesNamed({ checks: { disk: {} }, inhibitRules: [{ source: ['DISK_SPACE_LOW'], target: ['BACKUP_STALE'] }] })).toBeUndefined();
    expect(checkTypesNamed({ checks: { disk: {} }, inhibitRules: 'x' })).toBeUndefined();
    expect(checkTypesNamed({ checks: [] })).toBeUndefined();
    expect(checkTypesNamed([])).toBeUndefined();
    expect(checkTypesNamed(null)).toBeUndefined();
  });

  it('takes an entry with a non-string type by its id (the schema reports the type)', () => {
    expect(checkTypesNamed({ checks: { disk: { type: 7 }, memory: null } })).toEqual(['disk', 'memory']);
  });
});
