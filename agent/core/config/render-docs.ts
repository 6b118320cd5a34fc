import type { TSchema } from '../schema/type.js';
import type { CheckPlugin } from '../checks/plugin.js';
import { RootSchema, SECRET_MARK, checkEntrySchema } from './schema.js';

type Node = Record<string, unknown>;

function typeOf(s: Node): string {
  if (s[SECRET_MARK]) return 'secret `{"env": NAME}` or `{"file": PATH}`';
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.anyOf)) return (s.anyOf as Node[]).map(typeOf).join(' or ');
  const t = s.type as string | undefined;
  if (t === 'array') return `array of ${typeOf((s.items ?? {}) as Node)}`;
  if (t === 'integer' || t === 'number') {
    const range = s.minimum !== undefined && s.maximum !== undefined ? ` ${s.minimum}..${s.maximum}` : '';
    return `${t}${range}`;
  }
  return t ?? 'any';
}

const cell = (v: unknown) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** One row per setting, walking nested objects and arrays of objects, in schema order. */
function rows(schema: TSchema, prefix: string, out: string[]): void {
  const s = schema as Node;
  const required = new Set((s.required as string[] | undefined) ?? []);
  for (const [key, sub] of Object.entries((s.properties ?? {}) as Record<string, Node>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const def = sub.default !== undefined ? `\`${JSON.stringify(sub.default)}\`` : required.has(key) ? '**required**' : '';
    out.push(`| \`${path}\` | ${cell(typeOf(sub))} | ${def} | ${cell(sub.description ?? '')} |`);
    if (sub.type === 'object' && sub.properties && !sub[SECRET_MARK]) rows(sub as TSchema, path, out);
    const items = sub.items as Node | undefined;
    if (sub.type === 'array' && items?.type === 'object') rows(items as TSchema, `${path}[]`, out);
  }
}

/** The settings that take a secret, walking nested objects and arrays of objects like rows(). */
function secretPaths(schema: TSchema, prefix: string, out: string[]): void {
  for (const [key, sub] of Object.entries(((schema as Node).properties ?? {}) as Record<string, Node>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (sub[SECRET_MARK]) out.push(path);
    else if (sub.type === 'object' && sub.properties) secretPaths(sub as TSchema, path, out);
    const items = sub.items as Node | undefined;
    if (sub.type === 'array' && items?.type === 'object') secretPaths(items as TSchema, `${path}[]`, out);
  }
}

/** Renders docs/config.md from the schemas: generated, never edited by hand; a test compares the two. */
export function renderConfigMarkdown(plugins: CheckPlugin[]): string {
  const topLevel: string[] = [];
  secretPaths(RootSchema, '', topLevel);
  const secrets = topLevel.map((path) => `- \`${path}\``);
  for (const p of plugins) {
    const own: string[] = [];
    secretPaths(checkEntrySchema(p), 'checks.<id>', own);
    secrets.push(...own.map((path) => `- \`${path}\` (${p.type} check)`));
  }
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated from the schemas by `guardpost docs config`; do not edit by hand. -->',
    '',
    'One JSON file (default `/etc/guardpost/config.json`, or `--config FILE`, or `$GUARDPOST_CONFIG`). Unknown keys are',
    'errors, so a typo can never silently switch a check off. `guardpost config validate FILE` lists every problem by path',
    'with line and column (exit 78); `guardpost config example --profile terminal|certserver` prints a complete example.',
    '',
    'Secrets (PINs, passwords, passphrases, enrollment codes) are never written inline: a secret is `{"env": "NAME"}` or',
    '`{"file": "/path"}`, and the file must not be readable by group or others (`chmod 600`). `guardpost config example`',
    'names no secret, so that it validates as printed (a secret from an unset variable is an error); these settings take one:',
    '',
    ...secrets,
    '',
    '## Top level',
    '',
    '| setting | type | default | description |',
    '|---|---|---|---|',
  ];
  rows(RootSchema, '', out);
  out.push(
    '',
    '## Checks',
    '',
    'Each entry of `checks` is keyed by the check id; the id is also the check type unless `type` is given (so two',
    'backup checks can be `"backup-his": {"type": "backup", ...}` and `"backup-ca": {"type": "backup", ...}`).',
    'Every check has the framework settings below; the defaults differ per check type.',
  );
  for (const p of plugins) {
    out.push('', `### ${p.type} — ${p.title.zh} / ${p.title.en}`, '', `See \`agent/checks/${p.type}/README.md\`.`, '', '| setting | type | default | description |', '|---|---|---|---|');
    rows(checkEntrySchema(p), `checks.<id>`, out);
  }
  out.push('');
  return out.join('\n');
}
