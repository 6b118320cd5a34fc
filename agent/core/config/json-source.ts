/**
 * A strict JSON parser that remembers where every value stands, so config errors can name line and column,
 * and that reports duplicate keys (JSON.parse silently keeps the last one: a typo'd duplicate check id would
 * silently replace a check).
 */
export interface SourceLocation {
  line: number;
  column: number;
}

export interface DuplicateKey {
  /** JSON pointer of the duplicated member, e.g. /checks/disk */
  pointer: string;
  at: SourceLocation;
  firstAt: SourceLocation;
}

export interface ParsedJson {
  value: unknown;
  /** JSON pointer → where its value starts. */
  locations: Map<string, SourceLocation>;
  /** JSON pointer of an object member → where its key starts (for "unknown key" messages). */
  keyLocations: Map<string, SourceLocation>;
  duplicates: DuplicateKey[];
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly at: SourceLocation,
  ) {
    super(`invalid JSON at line ${at.line}, column ${at.column}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

export function escapePointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function parseJsonWithLocations(input: string): ParsedJson {
  return new Parser(input).parseDocument();
}

class Parser {
  private pos = 0;
  private readonly lineStarts: number[] = [0];
  readonly locations = new Map<string, SourceLocation>();
  readonly keyLocations = new Map<string, SourceLocation>();
  readonly duplicates: DuplicateKey[] = [];

  constructor(private readonly src: string) {
    // Notepad on Windows terminals saves UTF-8 with a BOM; accept it.
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  parseDocument(): ParsedJson {
    this.skipSpace();
    if (this.pos >= this.src.length) this.fail('the file is empty');
    const value = this.parseValue('');
    this.skipSpace();
    if (this.pos < this.src.length) this.fail(`unexpected ${this.describe()} after the end of the document`);
    return { value, locations: this.locations, keyLocations: this.keyLocations, duplicates: this.duplicates };
  }

  private where(pos = this.pos): SourceLocation {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: pos - this.lineStarts[lo]! + 1 };
  }

  private fail(reason: string, pos = this.pos): never {
    throw new JsonSyntaxError(reason, this.where(pos));
  }

  private describe(): string {
    if (this.pos >= this.src.length) return 'end of file';
    return `character ${JSON.stringify(this.src[this.pos])}`;
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '/' && (this.src[this.pos + 1] === '/' || this.src[this.pos + 1] === '*')) {
        this.fail('comments are not allowed in JSON');
      } else return;
    }
  }

  private parseValue(pointer: string): unknown {
    this.locations.set(pointer, this.where());
    const c = this.src[this.pos];
    if (c === '{') return this.parseObject(pointer);
    if (c === '[') return this.parseArray(pointer);
    if (c === '"') return this.parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.src.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    if (c === "'") this.fail('strings must use double quotes');
    this.fail(`expected a value, found ${this.describe()}`);
  }

  private parseObject(pointer: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const seen = new Map<string, SourceLocation>();
    this.pos++;
    this.skipSpace();
    if (this.src[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] !== '"') {
        if (this.src[this.pos] === '}') this.fail('trailing comma before "}"');
        this.fail(`expected a key in double quotes, found ${this.describe()}`);
      }
      const keyAt = this.where();
      const key = this.parseString();
      this.skipSpace();
      if (this.src[this.pos] !== ':') this.fail(`expected ":" after key ${JSON.stringify(key)}, found ${this.describe()}`);
      this.pos++;
      this.skipSpace();
      const child = `${pointer}/${escapePointerToken(key)}`;
      this.keyLocations.set(child, keyAt);
      const first = seen.get(key);
      if (first) this.duplicates.push({ pointer: child, at: keyAt, firstAt: first });
      else seen.set(key, keyAt);
      // defineProperty: a key named __proto__ must stay data, not change the prototype.
      Object.defineProperty(out, key, { value: this.parseValue(child), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.src[this.pos];
      this.pos++;
      if (c === '}') return out;
      if (c !== ',') this.fail(`expected "," or "}" in object, found ${c === undefined ? 'end of file' : JSON.stringify(c)}`, this.pos - 1);
    }
  }

  private parseArray(pointer: string): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.src[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === ']') this.fail('trailing comma before "]"');
      out.push(this.parseValue(`${pointer}/${out.length}`));
      this.skipSpace();
      const c = this.src[this.pos];
      this.pos++;
      if (c === ']') return out;
      if (c !== ',') this.fail(`expected "," or "]" in array, found ${c === undefined ? 'end of file' : JSON.stringify(c)}`, this.pos - 1);
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string', start);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string (use \\n, \\t)');
      if (c === 0x5c) this.pos++;
      this.pos++;
    }
    this.pos++;
    try {
      return JSON.parse(this.src.slice(start, this.pos)) as string;
    } catch {
      this.fail('invalid escape sequence in string', start);
    }
  }

  private parseNumber(): number {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.src.slice(this.pos, this.pos + 64));
    if (!m) this.fail('invalid number');
    this.pos += m[0].length;
    return Number(m[0]);
  }
}
