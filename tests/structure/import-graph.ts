// Which file imports which: relative specifiers resolved to repository paths the way NodeNext does for our
// sources (`./x.js` names `./x.ts`). Package and `node:` imports are outside the layers and left out.
import { posix } from 'node:path';
import { scanImports } from './import-scanner.js';

export interface ImportEdge {
  /** repository path of the importing file, e.g. `agent/core/checks/plugin.ts` */
  from: string;
  /** repository path of the imported file: its `.ts` source for a `.js` specifier */
  to: string;
  line: number;
  typeOnly: boolean;
}

export interface ImportGraph {
  files: readonly string[];
  edges: readonly ImportEdge[];
}

const SOURCE_FOR_OUTPUT: ReadonlyArray<[string, string]> = [['.js', '.ts'], ['.mjs', '.mts'], ['.cjs', '.cts'], ['.jsx', '.tsx']];

function resolve(from: string, specifier: string, known: ReadonlySet<string>): string {
  const path = posix.normalize(posix.join(posix.dirname(from), specifier));
  const source = SOURCE_FOR_OUTPUT.find(([output]) => path.endsWith(output));
  const asSource = source ? path.slice(0, -source[0].length) + source[1] : path;
  const candidates = [asSource, path, `${path}.ts`, `${path}/index.ts`];
  // A target outside the scanned files (tests/, bench/) is named by its TypeScript source all the same; a JSON
  // file keeps its name. A missing module is the type-check's to report.
  return candidates.find((c) => known.has(c)) ?? asSource;
}

/** `sources`: repository path → file text. */
export function buildImportGraph(sources: ReadonlyMap<string, string>): ImportGraph {
  const known = new Set(sources.keys());
  const edges: ImportEdge[] = [];
  for (const [file, text] of sources) {
    for (const ref of scanImports(text)) {
      if (!ref.specifier.startsWith('./') && !ref.specifier.startsWith('../')) continue;
      edges.push({ from: file, to: resolve(file, ref.specifier, known), line: ref.line, typeOnly: ref.typeOnly });
    }
  }
  return { files: [...known].sort(), edges };
}
