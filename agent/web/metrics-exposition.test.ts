import { describe, expect, it } from 'vitest';
import { METRICS } from './metrics-definitions.js';
import { Exposition, formatValue } from './metrics-exposition.js';

describe('formatValue', () => {
  it('writes what Prometheus reads, without binary noise', () => {
    expect(0.07 / 1000).toBe(0.00007000000000000001); // the noise, as JavaScript prints it
    expect(formatValue(0.07 / 1000)).toBe('0.00007');
    expect(formatValue(0.1 + 0.2)).toBe('0.3');
    expect(formatValue(1796285350.512)).toBe('1796285350.512');
    expect(formatValue(3902)).toBe('3902');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(1e-7)).toBe('1e-7');
  });
});

describe('Exposition', () => {
  it('writes every family of the table, in its order, with or without samples', () => {
    const lines = new Exposition().text().trim().split('\n');
    const families = Object.values(METRICS);
    expect(lines).toHaveLength(families.length * 2);
    expect(lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2])).toEqual(families.map((d) => d.name));
  });

  it('writes labels in the definition\'s order, escaped, and drops a label set already written', () => {
    const e = new Exposition();
    e.family('checkPhaseDuration', [
      [{ phase: 'tls', subject: 'a "b"\\c\nd', check: 'settlement' }, 0.5],
      [{ check: 'settlement', subject: 'a "b"\\c\nd', phase: 'tls' }, 0.7],
    ]);
    const samples = e.text().split('\n').filter((l) => l.startsWith('guardpost_check_phase_duration_seconds{'));
    expect(samples).toEqual(['guardpost_check_phase_duration_seconds{check="settlement",subject="a \\"b\\"\\\\c\\nd",phase="tls"} 0.5']);
  });
});
