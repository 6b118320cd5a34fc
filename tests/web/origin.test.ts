import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Fixture, RecordingLogger, until } from './support.js';

/**
 * A browser without Fetch Metadata (an old one on an old terminal) still sends Origin on a cross-origin fetch and
 * EventSource: a foreign Origin is refused on every route, not only on state changes; and the live stream's slots
 * are capped per origin, so one page cannot take them all.
 */

const fx = new Fixture();
afterEach(() => fx.close());

const ROUTES = ['/', '/static/app.js', '/events', '/api/status', '/api/snapshot', '/api/checks', '/api/faults', '/api/history', '/api/diagnostics', '/api/consent', '/metrics', '/nope'];
const FOREIGN = ['http://evil.example', 'http://127.0.0.1:9999', 'null', 'https://127.0.0.1:8620', 'http://127.0.0.1:8620.evil.example'];

describe('a foreign Origin, without Fetch Metadata', () => {
  it('is refused on every route and method, and logged; the page’s own origins and no Origin pass', async () => {
    const t = await fx.agent({ clock: {} });
    const logger = new RecordingLogger();
    const api = await fx.injectable(t, { logger });
    for (const url of ROUTES) {
      for (const origin of FOREIGN) {
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await api.app.inject({ method, url, headers: { host: '127.0.0.1:8620', origin } });
          expect(res.statusCode, `${method} ${url} from ${origin}`).toBe(403);
          if (method === 'GET') expect(res.json().code).toBe('bad_origin');
          expect(res.headers['x-frame-options']).toBe('DENY');
        }
      }
    }
    expect(logger.lines.filter((l) => l.msg === 'local page: request refused').length).toBeGreaterThan(0);
    for (const url of ['/', '/api/status', '/metrics']) {
      for (const headers of [{}, { origin: 'http://127.0.0.1:8620' }, { origin: 'http://LOCALHOST:8620' }]) {
        expect((await api.app.inject({ url, headers: { host: '127.0.0.1:8620', ...headers } })).statusCode, `${url} ${JSON.stringify(headers)}`).toBe(200);
      }
    }
  });
});

/** An open SSE stream over a real socket, or the status it was refused with. */
interface Stream {
  status: number;
  code?: string;
  close(): void;
}

function openStream(port: number, origin?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = get({ host: '127.0.0.1', port, path: '/events', agent: false, headers: { host: `127.0.0.1:${port}`, ...(origin ? { origin } : {}) } }, (res: IncomingMessage) => {
      const close = () => req.destroy();
      if (res.statusCode === 200) return resolve({ status: 200, close });
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, code: (JSON.parse(body) as { code: string }).code, close }));
    });
    req.on('error', reject);
  });
}

describe('live stream slots', () => {
  it('one origin gets at most 16 of the 64: the others still get theirs, and a closed stream frees its slot', async () => {
    const t = await fx.agent({ clock: {} });
    const api = await fx.page(t);
    const own = `http://127.0.0.1:${api.port}`;
    const streams: Stream[] = [];
    try {
      for (let i = 0; i < 16; i++) streams.push(await openStream(api.port, own));
      expect(streams.every((s) => s.status === 200)).toBe(true);
      const refused = await openStream(api.port, own);
      expect(refused).toMatchObject({ status: 503, code: 'too_many_streams_from_origin' });
      expect(api.hub.size).toBe(16);

      // Other origins of the page, and clients without an Origin (the page's own same-origin stream, tools), still open.
      for (const origin of [`http://localhost:${api.port}`, `http://[::1]:${api.port}`, undefined]) {
        for (let i = 0; i < 16; i++) streams.push(await openStream(api.port, origin));
      }
      expect(streams.every((s) => s.status === 200)).toBe(true);
      expect(api.hub.size).toBe(64);
      expect(await openStream(api.port)).toMatchObject({ status: 503, code: 'too_many_streams' }); // the overall bound holds

      streams.shift()!.close();
      await until('the closed stream to free its slot', () => api.hub.size === 63);
      const again = await openStream(api.port, own);
      expect(again.status).toBe(200);
      streams.push(again);
    } finally {
      for (const s of streams) s.close();
    }
  });
});
