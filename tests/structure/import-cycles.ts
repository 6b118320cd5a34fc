// Cycles in a directed graph (of files, or of modules): its strongly connected components (Tarjan), each reported
// with one shortest cycle through it, so the message names a path to cut, plus every node caught in it.

export interface Digraph {
  nodes: readonly string[];
  edges: ReadonlyArray<{ from: string; to: string }>;
}

export interface Cycle {
  /** a → b → … → a, starting at the component's first node in path order */
  path: readonly string[];
  /** every node of the component, sorted */
  members: readonly string[];
}

function adjacency(graph: Digraph): Map<string, string[]> {
  const next = new Map<string, string[]>(graph.nodes.map((f) => [f, []]));
  for (const e of graph.edges) {
    const targets = next.get(e.from);
    if (targets && next.has(e.to) && !targets.includes(e.to)) targets.push(e.to);
  }
  for (const targets of next.values()) targets.sort();
  return next;
}

function components(next: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;

  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      found.push(component.sort());
    }
  };

  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Shortest way from start back to start inside the component (breadth first). */
function shortestCycle(start: string, members: ReadonlySet<string>, next: Map<string, string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const w of next.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = cameFrom.get(u)) path.unshift(u);
        path.unshift(start);
        return path;
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

export function findCycles(graph: Digraph): Cycle[] {
  const next = adjacency(graph);
  return components(next)
    .filter((c) => c.length > 1 || (next.get(c[0]!) ?? []).includes(c[0]!))
    .map((members) => ({ path: shortestCycle(members[0]!, new Set(members), next), members }))
    .sort((a, b) => a.members[0]!.localeCompare(b.members[0]!));
}
