import { createHash } from 'node:crypto';
import { APP_JS } from './app-js.js';
import { I18N_JS } from './i18n-js.js';
import { LEGACY_JS } from './legacy-js.js';
import { RENDER_JS } from './render-js.js';
import { STYLE_CSS } from './style-css.js';

/**
 * The page's static files, compiled into the agent as strings: dist/ is then all the page needs (tsc copies no
 * .html/.css/.js files), and no build step runs on the terminal. Served under /static/<name>.
 */

export interface Asset {
  type: string;
  body: string;
  etag: string;
}

const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 2 4 7v8c0 7.5 5.1 13.3 12 15 6.9-1.7 12-7.5 12-15V7z" fill="#1a7f37"/>' +
  '<path d="m10 16 4.5 4.5L23 12" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>';

function asset(type: string, body: string): Asset {
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['app.js', asset('text/javascript; charset=utf-8', APP_JS)],
  ['render.js', asset('text/javascript; charset=utf-8', RENDER_JS)],
  ['i18n.js', asset('text/javascript; charset=utf-8', I18N_JS)],
  ['legacy.js', asset('text/javascript; charset=utf-8', LEGACY_JS)],
  ['style.css', asset('text/css; charset=utf-8', STYLE_CSS)],
  ['icon.svg', asset('image/svg+xml', ICON_SVG)],
]);
