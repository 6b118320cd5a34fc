/**
 * HTTP clients for bench/web.bench.ts: a keep-alive GET load generator, an SSE page that notes when each manual run
 * shows up, and the page's own POST (Origin + token) that starts a run. Plain node:http, loopback only.
 */
import { Agent as HttpAgent, get, request } from 'node:http';
import { round } from './bench-util.js';

/* ---------- load ---------- */

/** `count` GETs with `inFlight` outstanding at a time over keep-alive sockets; requests per second. */
export async function load(port: number, path: string, count: number, inFlight: number): Promise<number> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: inFlight });
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path, agent, headers: { host: `127.0.0.1:${port}` } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode}`));
        res.resume().on('end', resolve);
      }).on('error', reject);
    });
  const worker = async () => {
    while (next++ < count) await one();
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return round(count / seconds, 0);
}

/* ---------- SSE ---------- */

export interface Page {
  close(): void;
  /** Resolves when this page first receives a state showing the run that started at `startedAt` (running or done). */
  waitForRun(startedAt: string): Promise<number>;
  ready: Promise<void>;
  bytes: number;
  events: number;
}

export function openPage(port: number): Page {
  let buffer = '';
  let waiter: { startedAt: string; resolve: (t: number) => void } | undefined;
  /** When each run was first seen running: the state may arrive before the POST's answer. */
  const seen = new Map<string, number>();
  let readyResolve!: () => void;
  const page: Page = {
    bytes: 0,
    events: 0,
    ready: new Promise<void>((r) => (readyResolve = r)),
    close: () => req.destroy(),
    waitForRun: (startedAt) =>
      new Promise((resolve) => {
        const at = seen.get(startedAt);
        if (at !== undefined) resolve(at);
        else waiter = { startedAt, resolve };
      }),
  };
  const req = get({ host: '127.0.0.1', port, path: '/events', headers: { host: `127.0.0.1:${port}`, accept: 'text/event-stream' } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      page.bytes += Buffer.byteLength(chunk);
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const now = performance.now();
        page.events++;
        readyResolve();
        const run = (JSON.parse(data.slice(6)) as { run: { startedAt?: string } }).run;
        if (!run.startedAt || seen.has(run.startedAt)) continue;
        seen.set(run.startedAt, now);
        if (waiter?.startedAt === run.startedAt) {
          const w = waiter;
          waiter = undefined;
          w.resolve(now);
        }
      }
    });
  });
  req.on('error', () => undefined);
  return page;
}

export function postRun(port: number, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ checks: ['clock'] });
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/checks/run',
        method: 'POST',
        headers: { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, 'x-guardpost-csrf': token, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          const j = JSON.parse(text) as { started: boolean; run: { startedAt: string } };
          if (!j.started) reject(new Error('a run was still going'));
          else resolve(j.run.startedAt);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
