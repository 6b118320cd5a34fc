// The module specifiers a TypeScript source imports, found by a small lexer rather than the compiler: typescript 7
// ships no JS parser API (no ts.preProcessFile), and skipping comments, strings, template literals and regular
// expressions is all it takes to find import and export-from statements reliably.

export interface ImportReference {
  specifier: string;
  line: number;
  /** `import type …` / `export type … from`: erased at run time, still a dependency of the design */
  typeOnly: boolean;
  /** `import('…')`: loaded lazily, still a dependency */
  dynamic: boolean;
}

interface Token {
  /** `literal`: a template or regular-expression literal, whose text never names a module */
  kind: 'word' | 'string' | 'literal' | 'punct';
  value: string;
  line: number;
}

// After these words a `/` starts a regular expression, not a division.
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

const isWordStart = (c: string): boolean => /[\p{ID_Start}$_]/u.test(c) || /[0-9]/.test(c);
const isWordPart = (c: string): boolean => /[\p{ID_Continue}$\u200c\u200d]/u.test(c);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // One entry per open `${`: the brace depth at which that template expression closes.
  const templateDepths: number[] = [];
  let braceDepth = 0;
  let line = 1;
  let i = 0;
  const n = source.length;

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.kind === 'string' || prev.kind === 'literal') return false;
    if (prev.kind === 'word') return REGEX_AFTER_WORD.has(prev.value);
    return !(prev.value === ')' || prev.value === ']' || prev.value === '}');
  };

  // Scans template text from i (just after '`' or a closing '}'); stops after '`' or after '${'.
  const scanTemplate = (): void => {
    while (i < n) {
      const c = source[i]!;
      if (c === '\\') { i += 2; continue; }
      if (c === '\n') line++;
      if (c === '`') { i++; tokens.push({ kind: 'literal', value: '`', line }); return; }
      if (c === '$' && source[i + 1] === '{') {
        i += 2;
        templateDepths.push(braceDepth);
        braceDepth++;
        tokens.push({ kind: 'punct', value: '${', line });
        return;
      }
      i++;
    }
  };

  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '/' && next === '/') { while (i < n && source[i] !== '\n') i++; continue; }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (source[k] === '\n') line++;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const startLine = line;
      let value = '';
      i++;
      while (i < n && source[i] !== c && source[i] !== '\n') {
        if (source[i] === '\\') { value += source[i + 1] ?? ''; i += 2; continue; }
        value += source[i];
        i++;
      }
      i++;
      tokens.push({ kind: 'string', value, line: startLine });
      continue;
    }
    if (c === '`') { i++; scanTemplate(); continue; }
    if (c === '/' && regexAllowed()) {
      let inClass = false;
      i++;
      while (i < n && source[i] !== '\n') {
        const r = source[i]!;
        if (r === '\\') { i += 2; continue; }
        if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
        i++;
      }
      i++;
      while (i < n && isWordPart(source[i]!)) i++;
      tokens.push({ kind: 'literal', value: '/', line });
      continue;
    }
    if (isWordStart(c)) {
      const start = i;
      while (i < n && isWordPart(source[i]!)) i++;
      tokens.push({ kind: 'word', value: source.slice(start, i), line });
      continue;
    }
    if (c === '{') braceDepth++;
    if (c === '}') {
      braceDepth--;
      if (templateDepths.length > 0 && braceDepth === templateDepths[templateDepths.length - 1]) {
        templateDepths.pop();
        i++;
        scanTemplate();
        continue;
      }
    }
    tokens.push({ kind: 'punct', value: c, line });
    i++;
  }
  return tokens;
}

const isWord = (t: Token | undefined, value?: string): boolean => t?.kind === 'word' && (value === undefined || t.value === value);
const isPunct = (t: Token | undefined, value: string): boolean => t?.kind === 'punct' && t.value === value;

/** Index just past the `}` matching the `{` at `open`. */
function skipBraces(tokens: Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (isPunct(tokens[j], '{')) depth++;
    else if (isPunct(tokens[j], '}') && --depth === 0) return j + 1;
  }
  return tokens.length;
}

/** `from '…'` at j, or undefined. */
function fromClause(tokens: Token[], j: number): Token | undefined {
  const spec = tokens[j + 1];
  return isWord(tokens[j], 'from') && spec?.kind === 'string' ? spec : undefined;
}

export function scanImports(source: string): ImportReference[] {
  const tokens = tokenize(source);
  const found: ImportReference[] = [];
  const add = (spec: Token, typeOnly: boolean, dynamic: boolean): void => {
    found.push({ specifier: spec.value, line: spec.line, typeOnly, dynamic });
  };

  for (let i = 0; i < tokens.length; i++) {
    const keyword = tokens[i]!;
    if (keyword.kind !== 'word' || isPunct(tokens[i - 1], '.')) continue;

    if (keyword.value === 'import') {
      let j = i + 1;
      const first = tokens[j];
      if (isPunct(first, '(')) {
        // import('…'): a lazy load, or in a type position (`typeof import('…')`) a type reference.
        const spec = tokens[j + 1];
        if (spec?.kind === 'string') add(spec, isWord(tokens[i - 1], 'typeof'), true);
        continue;
      }
      if (first?.kind === 'string') { add(first, false, false); continue; }
      // `import type X`, but not a default import named `type` (`import type from '…'`, `import type, {…}`).
      const typeOnly = isWord(first, 'type') && !fromClause(tokens, j + 1) && !isPunct(tokens[j + 1], ',') && !isPunct(tokens[j + 1], '=');
      if (typeOnly) j++;
      // The clause: default name, `* as name`, `{ … }`, separated by commas, then `from '…'`.
      while (j < tokens.length) {
        const spec = fromClause(tokens, j);
        if (spec) { add(spec, typeOnly, false); break; }
        const t = tokens[j];
        if (isPunct(t, '{')) { j = skipBraces(tokens, j); continue; }
        if (isPunct(t, '=')) {
          // import x = require('…')
          const req = tokens[j + 3];
          if (isWord(tokens[j + 1], 'require') && isPunct(tokens[j + 2], '(') && req?.kind === 'string') add(req, typeOnly, false);
          break;
        }
        if (isWord(t) || isPunct(t, ',') || isPunct(t, '*')) { j++; continue; }
        break; // not an import declaration (`import.meta`, a property named import, …)
      }
      continue;
    }

    if (keyword.value === 'export') {
      let j = i + 1;
      const typeOnly = isWord(tokens[j], 'type') && (isPunct(tokens[j + 1], '{') || isPunct(tokens[j + 1], '*'));
      if (typeOnly) j++;
      if (isPunct(tokens[j], '*')) {
        j++;
        if (isWord(tokens[j], 'as')) j += 2;
      } else if (isPunct(tokens[j], '{')) {
        j = skipBraces(tokens, j);
      } else {
        continue;
      }
      const spec = fromClause(tokens, j);
      if (spec) add(spec, typeOnly, false);
    }
  }
  return found;
}
