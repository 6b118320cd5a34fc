// The whole dependency check over a set of sources: file cycles, module cycles and forbidden imports, each
// violation described in lines that name the files.
import picomatch from 'picomatch';
import { findForbiddenImports, type ForbiddenImport, type ImportRule } from './forbidden-imports.js';
import { findCycles, type Cycle } from './import-cycles.js';
import { buildImportGraph } from './import-graph.js';
import { moduleGraph, type ModuleEdge } from './modules.js';

export interface DependencyStructure {
  rules: readonly ImportRule[];
  /** globs of test code, which the rules bind only where they say so */
  testCode: readonly string[];
  /** folders whose sub-folders are modules, deepest first */
  moduleParents: readonly string[];
}

export interface DependencyReport {
  fileCycles: Cycle[];
  moduleCycles: Array<Cycle & { hops: ModuleEdge[] }>;
  forbidden: ForbiddenImport[];
}

export function checkDependencies(sources: ReadonlyMap<string, string>, structure: DependencyStructure): DependencyReport {
  const files = buildImportGraph(sources);
  const isTestCode = picomatch([...structure.testCode], { dot: true });
  const modules = moduleGraph(files, structure.moduleParents, isTestCode);
  const hop = (from: string, to: string): ModuleEdge => modules.edges.find((e) => e.from === from && e.to === to)!;
  const moduleCycles = findCycles(modules).map((c) => ({ ...c, hops: c.path.slice(1).map((to, i) => hop(c.path[i]!, to)) }));
  return {
    fileCycles: findCycles({ nodes: files.files, edges: files.edges }),
    moduleCycles,
    forbidden: findForbiddenImports(files, structure.rules, isTestCode),
  };
}

const others = (c: Cycle): string[] => c.members.filter((m) => !c.path.includes(m));
const alsoIn = (c: Cycle): string => (others(c).length > 0 ? `\n  also tangled in it: ${others(c).join(', ')}` : '');

/** Every violation, one paragraph each; empty when the structure is clean. */
export function describeViolations(report: DependencyReport): string[] {
  return [
    ...report.fileCycles.map((c) => `file cycle: ${c.path.join(' → ')}${alsoIn(c)}`),
    ...report.moduleCycles.map(
      (c) =>
        `module cycle: ${c.path.join(' → ')}${alsoIn(c)}` +
        c.hops.map((h) => `\n  ${h.from} → ${h.to}: ${h.imports.map((e) => `${e.from}:${e.line} imports ${e.to}`).join('; ')}`).join(''),
    ),
    ...report.forbidden.map(
      ({ edge, rule }) =>
        `${edge.from}:${edge.line} imports ${edge.to}${edge.typeOnly ? ' (type only)' : ''}\n  rule ${rule.from} ↛ ${rule.forbid.join(', ')}: ${rule.reason}`,
    ),
  ];
}
