import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pageFiles } from './page-files.js';

/**
 * The page's static files, served under /static/<name>: its browser code and styles, built from agent/web/page/
 * (see page-files.ts). Read from disk once, when this module loads (the page server's start), and kept in memory
 * with their ETags: the terminal's disk is not touched per request, and a file changed under a running agent is
 * not served half-written.
 */

export interface Asset {
  type: string;
  body: string;
  etag: string;
}

const JS = 'text/javascript; charset=utf-8';
/** Every file the page may load, with its content type; nothing else in the directory is served. */
const SERVED: ReadonlyArray<readonly [name: string, type: string]> = [
  ['app.js', JS],
  ['render.js', JS],
  ['dom.js', JS],
  ['i18n.js', JS],
  ['legacy.js', JS],
  ['style.css', 'text/css; charset=utf-8'],
  ['icon.svg', 'image/svg+xml'],
];

function asset(type: string, body: string): Asset {
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

function loadAssets(): Map<string, Asset> {
  const files = pageFiles();
  try {
    return new Map(
      SERVED.map(([name, type]) => {
        let body: string;
        try {
          body = readFileSync(join(files.dir, name), 'utf8');
        } catch (e) {
          throw new Error(`the page file ${name} is missing in ${files.dir} (npm run build writes it): ${(e as Error).message}`);
        }
        return [name, asset(type, body)];
      }),
    );
  } finally {
    files.cleanup();
  }
}

export const ASSETS: ReadonlyMap<string, Asset> = loadAssets();
