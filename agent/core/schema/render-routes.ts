import type { RouteSpec } from './route-spec.js';
import type { TSchema } from './type.js';

/**
 * Renders HTTP routes (RouteSpec) as Markdown tables: an index, then per route its auth, parameters and responses,
 * then the shared schemas the responses name. Everything comes from the schema objects the servers register.
 */

/** One API: its routes and the schemas it names (a nested schema equal to a named one is shown as a link). */
export interface ApiDocSection {
  title: string;
  /** Prefix of this section's anchors; unique per document. */
  anchor: string;
  /** Heading of the shared schemas' part. */
  schemasTitle: string;
  /** Paragraphs in Markdown, before the route index. */
  intro: string;
  routes: Record<string, RouteSpec>;
  schemas: Record<string, TSchema>;
}

type Node = Record<string, unknown>;

const cell = (v: unknown) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

/** A schema's own description, or that of the first alternative with one (`X or null`). */
function descriptionOf(s: Node): string {
  if (s.description) return String(s.description);
  const withOne = Array.isArray(s.anyOf) ? (s.anyOf as Node[]).find((o) => o.description) : undefined;
  return withOne ? String(withOne.description) : '';
}

class Names {
  private readonly byJson = new Map<string, string>();

  constructor(
    private readonly anchor: string,
    schemas: Record<string, TSchema>,
  ) {
    for (const [name, schema] of Object.entries(schemas)) if (!this.byJson.has(JSON.stringify(schema))) this.byJson.set(JSON.stringify(schema), name);
  }

  nameOf(s: unknown): string | undefined {
    return this.byJson.get(JSON.stringify(s));
  }

  id(name: string): string {
    return `${this.anchor}-${slug(name)}`;
  }

  link(name: string): string {
    return `[\`${name}\`](#${this.id(name)})`;
  }
}

function constraints(s: Node): string {
  const parts: string[] = [];
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? ''}..${s.maximum ?? ''}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) parts.push(`length ${s.minLength ?? 0}..${s.maxLength ?? ''}`);
  if (s.pattern !== undefined) parts.push(`matching \`${String(s.pattern)}\``);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** A schema in a few words; named schemas become links, except `self` (the one being described). */
function typeOf(schema: unknown, names: Names, self?: string): string {
  const s = (schema ?? {}) as Node;
  const name = names.nameOf(s);
  if (name && name !== self) return names.link(name);
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.anyOf)) {
    const options = s.anyOf as Node[];
    if (options.every((o) => o.const !== undefined)) return `one of ${options.map((o) => `\`${JSON.stringify(o.const)}\``).join(', ')}`;
    return options.map((o) => typeOf(o, names)).join(' or ');
  }
  if (Array.isArray(s.allOf)) return (s.allOf as Node[]).map((o) => typeOf(o, names)).join(' and ');
  if (s.type === 'array') {
    const count = s.minItems !== undefined || s.maxItems !== undefined ? `, ${s.minItems ?? 0}..${s.maxItems ?? ''} items` : '';
    return `array of ${typeOf(s.items, names)}${count}`;
  }
  if (s.type === 'object' && s.patternProperties) {
    const [value] = Object.values(s.patternProperties as Record<string, Node>);
    return `map of string to ${typeOf(value, names)}`;
  }
  if (s.type === 'null') return 'null';
  return `${String(s.type ?? 'any')}${constraints(s)}`;
}

const isPlainObjectSchema = (s: Node) => s.type === 'object' && !!s.properties && !s.patternProperties;

/** Field rows of an object schema; unnamed nested objects (and arrays of them) continue with dotted paths. */
function fieldRows(schema: Node, prefix: string, names: Names, out: string[]): void {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, Node>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(`| \`${path}\` | ${cell(typeOf(sub, names))} | ${required.has(key) ? 'yes' : ''} | ${cell(descriptionOf(sub))} |`);
    if (names.nameOf(sub)) continue;
    if (isPlainObjectSchema(sub)) fieldRows(sub, path, names, out);
    const items = sub.items as Node | undefined;
    if (sub.type === 'array' && items && !names.nameOf(items) && isPlainObjectSchema(items)) fieldRows(items, `${path}[]`, names, out);
  }
}

/** A fields table; an intersection lists the named parts it includes, then the fields of the others. */
function fieldsTable(schema: Node, names: Names, self?: string): string[] {
  const out: string[] = [];
  const parts = Array.isArray(schema.allOf) ? (schema.allOf as Node[]) : [schema];
  const included = parts.filter((p) => names.nameOf(p) && names.nameOf(p) !== self);
  const own = parts.filter((p) => !included.includes(p));
  if (included.length) out.push(`Every field of ${included.map((p) => names.link(names.nameOf(p)!)).join(' and ')}, and:`, '');
  out.push('| field | type | required | description |', '|---|---|---|---|');
  for (const p of own) fieldRows(p, '', names, out);
  return out;
}

function parameterTable(title: string, schema: Node | undefined, names: Names): string[] {
  if (!schema) return [];
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const out = [`${title}:`, '', '| name | type | required | default | description |', '|---|---|---|---|---|'];
  for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, Node>)) {
    const def = sub.default !== undefined ? `\`${JSON.stringify(sub.default)}\`` : '';
    out.push(`| \`${key}\` | ${cell(typeOf(sub, names))} | ${required.has(key) ? 'yes' : ''} | ${def} | ${cell(descriptionOf(sub))} |`);
  }
  out.push('');
  return out;
}

function responseLines(response: Record<number, TSchema>, names: Names): string[] {
  // Statuses with the same body share a row (e.g. 400, 403, 421: Error).
  const rows = new Map<string, { statuses: string[]; schema: Node }>();
  for (const [status, schema] of Object.entries(response)) {
    const key = JSON.stringify(schema);
    const row = rows.get(key) ?? { statuses: [], schema: schema as Node };
    row.statuses.push(status);
    rows.set(key, row);
  }
  const out = ['| status | body | description |', '|---|---|---|'];
  const details: string[] = [];
  for (const { statuses, schema } of rows.values()) {
    const unnamedObject = !names.nameOf(schema) && isPlainObjectSchema(schema);
    const body = unnamedObject ? 'object, below' : schema.type === 'null' ? 'empty' : typeOf(schema, names);
    out.push(`| ${statuses.join(', ')} | ${cell(body)} | ${cell(descriptionOf(schema))} |`);
    if (unnamedObject) details.push('', `Body of ${statuses.join(', ')}:`, '', ...fieldsTable(schema, names));
  }
  return [...out, ...details, ''];
}

function routeLines(route: RouteSpec, names: Names): string[] {
  return [
    `### \`${route.method} ${route.url}\``,
    '',
    `${route.summary[0]!.toUpperCase()}${route.summary.slice(1)}.`,
    '',
    `Auth: ${route.auth}.`,
    '',
    ...parameterTable('Path parameters', route.schema.params as Node | undefined, names),
    ...parameterTable('Query', route.schema.querystring as Node | undefined, names),
    ...parameterTable('Body (JSON)', route.schema.body as Node | undefined, names),
    ...responseLines(route.schema.response, names),
  ];
}

function schemaLines(name: string, schema: Node, names: Names): string[] {
  const out = [`<a id="${names.id(name)}"></a>`, '', `#### \`${name}\``, ''];
  if (schema.description) out.push(String(schema.description), '');
  if (isPlainObjectSchema(schema) || Array.isArray(schema.allOf)) out.push(...fieldsTable(schema, names, name));
  else out.push(typeOf(schema, names, name));
  out.push('');
  return out;
}

function renderApiSection(section: ApiDocSection): string[] {
  const names = new Names(section.anchor, section.schemas);
  const routes = Object.values(section.routes);
  const out = [`<a id="${section.anchor}"></a>`, '', `## ${section.title}`, '', section.intro.trim(), '', '| method | path | what |', '|---|---|---|'];
  for (const r of routes) out.push(`| ${r.method} | [\`${r.url}\`](#${section.anchor}-${slug(`${r.method} ${r.url}`)}) | ${cell(r.summary)} |`);
  out.push('');
  for (const r of routes) out.push(`<a id="${section.anchor}-${slug(`${r.method} ${r.url}`)}"></a>`, '', ...routeLines(r, names));
  out.push(`### ${section.schemasTitle}`, '');
  for (const [name, schema] of Object.entries(section.schemas)) out.push(...schemaLines(name, schema as Node, names));
  return out;
}

/** docs/api.md: every API, one section each. Generated; a test fails when the file and the code disagree. */
export function renderApiMarkdown(sections: ApiDocSection[]): string {
  const out = [
    '# HTTP APIs',
    '',
    '<!-- Generated from the route schemas by `guardpost docs api`; do not edit by hand. -->',
    '',
    `Each route below is the object its server registers (method, path, schemas): ${sections.map((s) => `[${s.title}](#${s.anchor})`).join(' and ')}.`,
    '',
  ];
  for (const s of sections) out.push(...renderApiSection(s));
  return `${out.join('\n').trimEnd()}\n`;
}
