import { FaultCatalogue } from '../core/faults/catalogue.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '../core/schema/type.js';
import { describe, expect, it } from 'vitest';
import type { ConfigProfile } from '../core/checks/plugin.js';
import { FRAMEWORK_REASONS } from '../core/checks/result.js';
import { checkConfigWithDefaults } from '../core/config/check-config.js';
import { SEVERITIES } from '../core/severity.js';
import { builtinPlugins } from './all.js';
import { builtinCheckTypes, loadBuiltinPlugins } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const profiles: ConfigProfile[] = ['terminal', 'certserver'];

/** Every object schema below `schema`, with its JSON path. */
function objects(schema: TSchema, at = ''): { at: string; node: Record<string, any> }[] {
  const node = schema as Record<string, any>;
  const found: { at: string; node: Record<string, any> }[] = [];
  if (node.type === 'object') {
    found.push({ at: at || '/', node });
    for (const [k, v] of Object.entries(node.properties ?? {})) found.push(...objects(v as TSchema, `${at}/${k}`));
  }
  if (node.type === 'array' && node.items) found.push(...objects(node.items, `${at}/items`));
  return found;
}

describe('built-in check registry', () => {
  it('has unique types, each equal to its folder, with moduleUrl pointing at that folder\'s index', () => {
    const types = builtinPlugins.map((p) => p.type);
    expect(new Set(types).size).toBe(types.length);
    for (const p of builtinPlugins) {
      expect(fileURLToPath(p.moduleUrl)).toBe(path.join(here, p.type, 'index.ts'));
    }
  });

  it('lists every check folder, and loads the types asked for, in registry order, skipping unknown names', async () => {
    const { readdirSync } = await import('node:fs');
    const folders = readdirSync(here, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(path.join(here, d.name, 'index.ts')));
    expect([...builtinCheckTypes].sort()).toEqual(folders.map((d) => d.name).sort());
    expect(builtinPlugins.map((p) => p.type)).toEqual([...builtinCheckTypes]);
    const some = await loadBuiltinPlugins(['reader', 'no-such-check', 'disk']);
    expect(some.map((p) => p.type)).toEqual(['disk', 'reader']);
    expect(some[0]).toBe(builtinPlugins.find((p) => p.type === 'disk'));
  });

  it('moduleUrl exports the same plugin as `plugin`, as an isolated child process would import it', async () => {
    for (const p of builtinPlugins) {
      const mod = (await import(p.moduleUrl)) as { plugin: unknown };
      expect(mod.plugin).toBe(p);
    }
  });

  const faultCodes = new Map<string, string>();
  for (const p of builtinPlugins) {
    describe(`${p.type}`, () => {
      it('has a closed list of lower_snake_case reasons in both languages, not clashing with the framework\'s', () => {
        expect(Object.keys(p.reasons).length).toBeGreaterThan(0);
        for (const [code, t] of Object.entries(p.reasons)) {
          expect(code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
          expect(code in FRAMEWORK_REASONS || code === 'ok').toBe(false);
          expect(t.zh.length).toBeGreaterThan(0);
          expect(t.en.length).toBeGreaterThan(0);
        }
      });

      it('catalogues its faults with runbook text in Chinese and English; codes are globally unique', () => {
        expect(p.faults.length).toBeGreaterThan(0);
        for (const f of p.faults) {
          expect(f.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
          expect(faultCodes.get(f.code) ?? p.type).toBe(p.type);
          faultCodes.set(f.code, p.type);
          expect(SEVERITIES).toContain(f.severity);
          expect(f.causes.length).toBeGreaterThan(0);
          for (const t of [f.title, f.operator, f.engineer, ...f.causes]) {
            expect(t.zh).toMatch(/[\u4e00-\u9fff]/);
            expect(t.en).toMatch(/[a-z]/);
          }
          expect(f.operator.zh.length).toBeGreaterThan(20);
          expect(f.engineer.zh.length).toBeGreaterThan(40);
        }
      });

      // A check that sees certificates reports the certificate engine's reasons and faults, catalogued once by the
      // cert check: any catalogued code is fine, wherever it is defined.
      it('maps every reason it lists to a catalogued fault (or to none on purpose)', () => {
        const codes = new FaultCatalogue(builtinPlugins).codes();
        const minimal = p.example('terminal');
        const cfg = Object.values(minimal)[0]!;
        for (const reason of Object.keys(p.reasons)) {
          const signal = p.rules(
            { status: 'fail', reason, subject: '', labels: {}, evidence: {}, message: { zh: '', en: '' }, time: '', durationMs: 0 },
            cfg,
          );
          expect(signal, reason).not.toBeNull();
          expect(codes.has(signal!.code)).toBe(true);
        }
      });

      it('has a strict schema: no unknown keys, every optional setting with a default, every setting described', () => {
        for (const { at, node } of objects(p.configSchema)) {
          expect(node.additionalProperties, at).toBe(false);
          const required = new Set<string>(node.required ?? []);
          for (const [key, prop] of Object.entries<Record<string, any>>(node.properties ?? {})) {
            if (at === '/' || !required.has(key)) expect(prop.description, `${at}/${key}`).toBeTruthy();
            if (!required.has(key)) expect(prop.default, `${at}/${key} default`).not.toBeUndefined();
          }
        }
      });

      it('has sensible framework defaults', () => {
        const d = p.defaults;
        // Presence checks (readers, tokens) poll every few seconds to see an unplug at once; nothing polls faster than 1 s.
        expect(d.intervalSeconds).toBeGreaterThanOrEqual(1);
        expect(d.timeoutSeconds).toBeLessThan(d.intervalSeconds);
        expect(d.raiseAfter).toBeGreaterThanOrEqual(1);
        expect(d.clearAfter).toBeGreaterThanOrEqual(1);
      });

      for (const profile of profiles) {
        it(`gives a valid ${profile} example showing every option`, () => {
          const examples = p.example(profile);
          expect(Object.keys(examples).length).toBeGreaterThan(0);
          for (const [id, example] of Object.entries(examples)) {
            expect(id).toMatch(/^[a-z][a-z0-9_-]{0,63}$/);
            expect(example.type).toBe(p.type);
            const { type: _type, ...own } = example;
            const filled = checkConfigWithDefaults(p, own);
            expect(filled, 'every option is spelled out').toEqual(own);
            for (const { at, node } of objects(p.configSchema)) {
              if (at !== '/') continue;
              for (const key of Object.keys(node.properties ?? {})) expect(own, key).toHaveProperty(key);
            }
          }
        });
      }

      it('has a README naming every setting and every fault code, with a sample config', () => {
        const readme = path.join(here, p.type, 'README.md');
        expect(existsSync(readme)).toBe(true);
        const text = readFileSync(readme, 'utf8');
        for (const f of p.faults) expect(text).toContain(f.code);
        for (const reason of Object.keys(p.reasons)) expect(text).toContain(reason);
        for (const { node } of objects(p.configSchema)) for (const key of Object.keys(node.properties ?? {})) expect(text).toMatch(new RegExp('[`.]' + key + '`'));
        const sample = /```json\n([\s\S]*?)```/.exec(text);
        expect(sample, 'a ```json sample block').not.toBeNull();
        const parsed = JSON.parse(sample![1]!) as Record<string, Record<string, unknown>>;
        for (const entry of Object.values(parsed)) {
          const { type: _t, enabled: _e, intervalSeconds: _i, timeoutSeconds: _to, raiseAfter: _r, clearAfter: _c, ...own } = entry;
          expect(() => checkConfigWithDefaults(p, own)).not.toThrow();
        }
      });
    });
  }
});
