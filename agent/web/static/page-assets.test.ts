import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { Snapshot as PageSnapshot } from '../page/snapshot.js';
import type { Snapshot } from '../schemas/views.js';
import { ASSETS } from './assets.js';

// The page's contract, checked by the project's type-check: every snapshot the server sends is one the page can
// read. A field the page reads that the server renames, or a severity/state it adds that the page has no words for
// (render.ts builds `sev.${severity}` keys), stops this file compiling.
const fits = <T extends true>(_proof?: T): void => undefined;
fits<Snapshot extends PageSnapshot ? true : false>();

const scripts = [...ASSETS].filter(([name]) => name.endsWith('.js'));
const body = (name: string): string => ASSETS.get(name)!.body;

/** esbuild's output for a target: equal to its esnext output when nothing had to be lowered for that target. */
const lowered = (code: string, target: string): string => transformSync(code, { target, loader: 'js', legalComments: 'none' }).code;

describe('page files (built from agent/web/page/)', () => {
  it('every module the page imports is served, so no import fails in the browser', () => {
    for (const [name, a] of scripts) {
      const imports = [...a.body.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      for (const spec of imports) {
        expect(spec, `${name} imports ${spec}`).toMatch(/^\.\/[a-z0-9-]+\.js$/);
        expect(ASSETS.has(spec.slice(2)), `${name} imports ${spec}, which is not served`).toBe(true);
      }
    }
    expect(body('app.js')).toMatch(/from '\.\/render\.js'/);
    expect(body('style.css')).toContain('.overall-down');
    expect(body('icon.svg')).toMatch(/^<svg /);
  });

  it('the modules are ES2017 and legacy.js is ES5, as written for the terminals’ browsers', () => {
    for (const [name, a] of scripts) {
      if (name === 'legacy.js') continue;
      expect(lowered(a.body, 'es2017'), name).toBe(lowered(a.body, 'esnext'));
    }
    expect(lowered(body('legacy.js'), 'es5')).toBe(lowered(body('legacy.js'), 'esnext'));
    expect(body('legacy.js')).not.toMatch(/^\s*(import|export)\s/m); // a classic script: `nomodule` browsers have no modules
  });
});
