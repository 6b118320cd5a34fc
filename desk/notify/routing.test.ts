import { describe, expect, it } from 'vitest';
import { isSilenced, parseRouting, routeFault } from './routing.js';
import type { NotifyFault } from './types.js';

const names = new Set(['oncall', 'region-sh', 'all-ops', 'night']);
const fault = (o: Partial<NotifyFault> = {}): NotifyFault => ({
  faultId: 'f', code: 'reader.offline', grade: 'critical', titleZh: '读卡器离线', titleEn: 'reader offline',
  agentId: 'a', institution: 'H31010100001', since: '2026-12-03T08:00:00Z', ...o,
});
const noon = new Date(2026, 11, 3, 12, 0);
const night = new Date(2026, 11, 3, 23, 30);
const routes = [
  { grades: ['critical'], hours: '22:00-07:00', channels: ['night'] },
  { grades: ['critical', 'major'], sites: ['H3101'], channels: ['region-sh'] },
  { codes: ['cert.*'], channels: ['oncall'] },
  { channels: ['all-ops'] },
];

describe('routing', () => {
  it('first match: grade, site prefix, code prefix, hours wrapping midnight', () => {
    const cfg = parseRouting({ routes }, names);
    expect(routeFault(cfg, fault(), noon)).toEqual(['region-sh']);
    expect(routeFault(cfg, fault(), night)).toEqual(['night']);
    expect(routeFault(cfg, fault({ institution: 'H44010100001' }), noon)).toEqual(['all-ops']);
    expect(routeFault(cfg, fault({ grade: 'minor', code: 'cert.expiring' }), noon)).toEqual(['oncall']);
    expect(routeFault(cfg, fault({ grade: 'minor' }), noon)).toEqual(['all-ops']);
  });
  it('all matching: the union, each channel once', () => {
    const cfg = parseRouting({ mode: 'all', routes }, names);
    expect(routeFault(cfg, fault(), night)).toEqual(['night', 'region-sh', 'all-ops']);
  });
  it('errors name the config path', () => {
    expect(() => parseRouting({ routes: [{ grades: ['urgent'], channels: ['oncall'] }] }, names)).toThrow('desk.json notify.routes[0].grades[0]: "urgent" is not critical, major or minor');
    expect(() => parseRouting({ routes: [{ channels: ['nobody'] }] }, names)).toThrow('notify.routes[0].channels[0]: no channel named "nobody"');
    expect(() => parseRouting({ routes: [{ hours: '8-18', channels: ['oncall'] }] }, names)).toThrow('notify.routes[0].hours');
    expect(() => parseRouting({ mode: 'some' }, names)).toThrow('notify.mode');
    expect(() => parseRouting({ silences: [{ from: 'yesterday', until: '2026-12-04T00:00:00Z' }] }, names)).toThrow('notify.silences[0].from');
  });
  it('silences mute by site and code within their time range only', () => {
    const cfg = parseRouting({ routes, silences: [{ sites: ['H3101'], codes: ['reader.*'], from: '2026-12-03T00:00:00Z', until: '2026-12-04T00:00:00Z' }] }, names);
    expect(isSilenced(cfg, fault(), new Date('2026-12-03T10:00:00Z'))).toBe(true);
    expect(isSilenced(cfg, fault(), new Date('2026-12-04T10:00:00Z'))).toBe(false);
    expect(isSilenced(cfg, fault({ code: 'disk.full' }), new Date('2026-12-03T10:00:00Z'))).toBe(false);
    expect(isSilenced(cfg, fault({ institution: 'H44' }), new Date('2026-12-03T10:00:00Z'))).toBe(false);
  });
});
