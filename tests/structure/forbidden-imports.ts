// Imports that break a layer rule. A rule's globs may hold a placeholder such as `<check>`: in `from` it matches one
// folder name, and in `forbid`/`allow` it stands for the name matched (a check may import its own folder, not others').
import picomatch from 'picomatch';
import type { ImportEdge, ImportGraph } from './import-graph.js';

export interface ImportRule {
  /** files the rule binds */
  from: string;
  /** what they must not import */
  forbid: readonly string[];
  /** exceptions to `forbid` */
  allow?: readonly string[];
  /** rules bind shipped code only, unless this is set */
  bindsTestCode?: boolean;
  /** why, in one line; printed with each violation */
  reason: string;
}

export interface ForbiddenImport {
  edge: ImportEdge;
  rule: ImportRule;
}

const PLACEHOLDER = /<([a-z]+)>/g;
const matchers = new Map<string, picomatch.Matcher>();
function match(globs: readonly string[], path: string): boolean {
  if (globs.length === 0) return false;
  const key = globs.join('\n');
  let matcher = matchers.get(key);
  if (!matcher) matchers.set(key, (matcher = picomatch([...globs], { dot: true })));
  return matcher(path);
}

/** The placeholder values `from` binds for `file`, or undefined when the rule does not bind it. */
function bind(rule: ImportRule, file: string): Map<string, string> | undefined {
  if (!match([rule.from.replace(PLACEHOLDER, '*')], file)) return undefined;
  const values = new Map<string, string>();
  const segments = file.split('/');
  rule.from.split('/').forEach((segment, i) => {
    const name = /^<([a-z]+)>$/.exec(segment)?.[1];
    if (name) values.set(name, segments[i]!);
  });
  return values;
}

const fill = (globs: readonly string[], values: Map<string, string>): string[] =>
  globs.map((g) => g.replace(PLACEHOLDER, (whole, name: string) => values.get(name) ?? whole));

export function findForbiddenImports(graph: ImportGraph, rules: readonly ImportRule[], isTestCode: (path: string) => boolean): ForbiddenImport[] {
  const found: ForbiddenImport[] = [];
  for (const edge of graph.edges) {
    const testCode = isTestCode(edge.from);
    for (const rule of rules) {
      if (testCode && !rule.bindsTestCode) continue;
      const values = bind(rule, edge.from);
      if (!values) continue;
      if (match(fill(rule.forbid, values), edge.to) && !match(fill(rule.allow ?? [], values), edge.to)) found.push({ edge, rule });
    }
  }
  return found;
}
