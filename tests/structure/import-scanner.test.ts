import { describe, expect, it } from 'vitest';
import { scanImports } from './import-scanner.js';

const specifiers = (source: string): string[] => scanImports(source).map((r) => r.specifier);

describe('scanImports', () => {
  it('finds every import and export-from form, with its line and whether it is type-only or lazy', () => {
    const source = [
      "import a from './a.js';",
      "import * as b from './b.js';",
      "import { c1, type c2 } from './c.js';",
      "import type { D } from './d.js';",
      "import './e.js';",
      "export * from './f.js';",
      "export * as g from './g.js';",
      "export { h } from './h.js';",
      "export type { I } from './i.js';",
      "const j = await import('./j.js');",
      "import k = require('./k.js');",
      "import l, { m } from './lm.js';",
      "type N = typeof import('./n.js');",
    ].join('\n');
    expect(scanImports(source)).toEqual([
      { specifier: './a.js', line: 1, typeOnly: false, dynamic: false },
      { specifier: './b.js', line: 2, typeOnly: false, dynamic: false },
      { specifier: './c.js', line: 3, typeOnly: false, dynamic: false },
      { specifier: './d.js', line: 4, typeOnly: true, dynamic: false },
      { specifier: './e.js', line: 5, typeOnly: false, dynamic: false },
      { specifier: './f.js', line: 6, typeOnly: false, dynamic: false },
      { specifier: './g.js', line: 7, typeOnly: false, dynamic: false },
      { specifier: './h.js', line: 8, typeOnly: false, dynamic: false },
      { specifier: './i.js', line: 9, typeOnly: true, dynamic: false },
      { specifier: './j.js', line: 10, typeOnly: false, dynamic: true },
      { specifier: './k.js', line: 11, typeOnly: false, dynamic: false },
      { specifier: './lm.js', line: 12, typeOnly: false, dynamic: false },
      { specifier: './n.js', line: 13, typeOnly: true, dynamic: true },
    ]);
  });

  it('reads an import spread over lines and reports the line of its specifier', () => {
    expect(scanImports("\nimport {\n  a,\n  b,\n} from\n  '../x.js';")).toEqual([{ specifier: '../x.js', line: 6, typeOnly: false, dynamic: false }]);
  });

  it('treats `type` as a default import name where it is one', () => {
    expect(scanImports("import type from './t.js';\nimport type, { u } from './u.js';").map((r) => r.typeOnly)).toEqual([false, false]);
  });

  it('skips what only looks like an import: comments, strings, templates, regular expressions, import.meta, properties', () => {
    const source = [
      "// import a from './comment.js';",
      "/* export * from './block.js'; */",
      "const s = 'import b from \"./string.js\"';",
      'const t = `import c from "./template.js" ${await import(\'./inside.js\')} import("./after-expression.js")`;',
      "const r = /import d from '.\\/regex.js'/;",
      'const url = import.meta.url;',
      "const o = { import: 1, export: 2 }; const from = 'x';",
      "export { local };",
      "import real from './real.js';",
    ].join('\n');
    expect(specifiers(source)).toEqual(['./inside.js', './real.js']);
  });

  it('divides after a value instead of starting a regular expression', () => {
    expect(specifiers("const half = total / 2; const q = (a) / b; // '\nimport x from './after.js';")).toEqual(['./after.js']);
  });

  it('ignores a computed lazy import, which names no module', () => {
    expect(specifiers('const m = await import(`./${name}.js`);')).toEqual([]);
  });
});
