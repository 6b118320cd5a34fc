/**
 * A strict reader of the Prometheus text format 0.0.4 for the metrics tests, in place of `promtool check metrics`
 * (Debian ships promtool only inside the 96 MB Prometheus server package). It throws on what Prometheus would
 * reject or promtool would flag for this exposition: a malformed line, a sample before its family's HELP/TYPE or of
 * another family, a family written twice, a duplicate series, a counter not named `_total`, a bad label name, an
 * unparsable value.
 */

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  /** Label names in the order written. */
  labelNames: string[];
  /** The value as written. */
  raw: string;
  value: number;
  /** name{labels} with labels sorted: the series' identity. */
  id: string;
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(NaN|[+-]Inf|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/;

function parseLabels(text: string, line: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"') throw new Error(`bad label in: ${line}`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name) || name.startsWith('__')) throw new Error(`bad label name "${name}" in: ${line}`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] !== '\\') value += text[j];
      else {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape \\${next} in: ${line}`);
      }
    }
    if (text[j] !== '"') throw new Error(`unterminated label value in: ${line}`);
    out.push([name, value]);
    i = j + 1;
    if (text[i] === ',') i++;
    else if (i < text.length) throw new Error(`expected "," after a label in: ${line}`);
  }
  return out;
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  const ids = new Set<string>();
  let current: ParsedFamily | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, 'HELP' | 'TYPE', string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      if (kind === 'HELP') {
        if (families.has(name)) throw new Error(`family ${name} written twice`);
        current = { name, help: rest, type: '', samples: [] };
        families.set(name, current);
      } else {
        if (current?.name !== name || current.type) throw new Error(`TYPE without its HELP: ${line}`);
        if (!['counter', 'gauge', 'untyped'].includes(rest)) throw new Error(`unexpected type: ${line}`);
        if (rest === 'counter' && !name.endsWith('_total')) throw new Error(`counter ${name} does not end in _total`);
        current.type = rest;
      }
      continue;
    }
    const sample = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`malformed line: ${JSON.stringify(line)}`);
    const [, name, labelText, raw] = sample as unknown as [string, string, string | undefined, string];
    if (!current?.type || current.name !== name) throw new Error(`sample outside its family: ${line}`);
    if (!VALUE.test(raw)) throw new Error(`bad value: ${line}`);
    const pairs = labelText ? parseLabels(labelText, line) : [];
    const labels = Object.fromEntries(pairs);
    if (Object.keys(labels).length !== pairs.length) throw new Error(`label repeated: ${line}`);
    const id = `${name}{${[...pairs].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (ids.has(id)) throw new Error(`duplicate series: ${id}`);
    ids.add(id);
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    current.samples.push({ name, labels, labelNames: pairs.map(([k]) => k), raw, value, id });
  }
  return families;
}
