// Modules are folders: a file belongs to the first folder below its module parent (agent/core/scheduler/x.ts is in
// agent/core/scheduler), and a file sitting directly in a module parent (agent/core/text.ts) is a module of its own.
// Cycles between modules are what the file graph alone cannot see: a → b's files and b → a's may all differ.
// A module's dependencies are what its shipped code imports: a unit test reaching into a neighbour adds none.
import type { ImportEdge, ImportGraph } from './import-graph.js';
import type { Digraph } from './import-cycles.js';

/** `parents`: folders whose sub-folders are modules, the deepest first (agent/core before agent). */
export function moduleOf(file: string, parents: readonly string[]): string {
  const parent = parents.find((p) => file.startsWith(`${p}/`));
  if (parent === undefined) return file;
  const rest = file.slice(parent.length + 1);
  const slash = rest.indexOf('/');
  return slash < 0 ? file : `${parent}/${rest.slice(0, slash)}`;
}

export interface ModuleEdge {
  from: string;
  to: string;
  /** the file imports that make this module depend on that one */
  imports: ImportEdge[];
}

export interface ModuleGraph extends Digraph {
  edges: readonly ModuleEdge[];
}

export function moduleGraph(graph: ImportGraph, parents: readonly string[], isTestCode: (file: string) => boolean): ModuleGraph {
  const known = new Set(graph.files);
  const edges = new Map<string, ModuleEdge>();
  for (const e of graph.edges) {
    if (!known.has(e.to) || isTestCode(e.from)) continue;
    const from = moduleOf(e.from, parents);
    const to = moduleOf(e.to, parents);
    if (from === to) continue;
    const key = `${from}\n${to}`;
    const edge = edges.get(key) ?? { from, to, imports: [] };
    edge.imports.push(e);
    edges.set(key, edge);
  }
  return { nodes: [...new Set(graph.files.map((f) => moduleOf(f, parents)))].sort(), edges: [...edges.values()] };
}
