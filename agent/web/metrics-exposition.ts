import { METRICS, type LabelsOf, type MetricKey } from './metrics-definitions.js';

/** Prometheus text exposition format 0.0.4, written by hand: two dozen families do not justify a client library. */

export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * A sample value as Prometheus reads it: NaN, +Inf, -Inf, integers as written, and other numbers to 15 significant
 * digits, which drops binary noise such as 0.07 / 1000 = 0.00007000000000000001.
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(15)));
}

export type Sample<K extends MetricKey> = readonly [labels: LabelsOf<K>, value: number];

/** Families are written in the table's order (metrics-definitions.ts), every one of them, with or without samples. */
export class Exposition {
  private readonly lines = new Map<MetricKey, string[]>();

  /** Labels are written in the definition's order; a label set seen before in the family is dropped (it would be a duplicate series). */
  family<K extends MetricKey>(key: K, samples: Iterable<Sample<K>>): void {
    const def = METRICS[key];
    const out = this.lines.get(key) ?? [];
    const seen = new Set<string>();
    for (const [labels, value] of samples) {
      const values = labels as Record<string, string>;
      const set = def.labels.length ? `{${def.labels.map((l) => `${l.name}="${escapeLabel(values[l.name] ?? '')}"`).join(',')}}` : '';
      if (seen.has(set)) continue;
      seen.add(set);
      out.push(`${def.name}${set} ${formatValue(value)}`);
    }
    this.lines.set(key, out);
  }

  text(): string {
    const out: string[] = [];
    for (const key of Object.keys(METRICS) as MetricKey[]) {
      const def = METRICS[key];
      out.push(`# HELP ${def.name} ${def.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${def.name} ${def.type}`, ...(this.lines.get(key) ?? []));
    }
    return out.join('\n') + '\n';
  }
}
