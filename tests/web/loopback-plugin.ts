import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Type } from '../../agent/core/schema/type.js';
import type { CheckPlugin } from '../../agent/core/checks/plugin.js';
import type { ProbeResult } from '../../agent/core/checks/result.js';

/**
 * A test-only check with phases, for the page's phase timings until the real network checks land: a TCP connect to
 * a loopback HTTP server, one request, the first byte of the answer. Real sockets, real timings.
 */
export const loopbackPlugin: CheckPlugin<{ port: number }> = {
  type: 'loopback',
  moduleUrl: import.meta.url,
  title: { zh: '本机测试服务', en: 'Loopback test service' },
  configSchema: Type.Object({ port: Type.Integer({ minimum: 1, maximum: 65535, description: 'port on 127.0.0.1' }) }, { additionalProperties: false }),
  defaults: { intervalSeconds: 3600, timeoutSeconds: 5, raiseAfter: 1, clearAfter: 1 },
  reasons: { refused: { zh: '连接被拒绝', en: 'connection refused' } },
  faults: [],
  rules: () => null,
  example: () => ({ loopback: { port: 8080 } }),
  createProbe: (config) => ({
    run: () =>
      new Promise<ProbeResult[]>((resolve) => {
        const t0 = performance.now();
        let connected = 0;
        const subject = `127.0.0.1:${config.port}`;
        const result = (ok: boolean, phases: Record<string, number>): ProbeResult => ({
          status: ok ? 'ok' : 'fail',
          reason: ok ? 'ok' : 'refused',
          message: ok ? { zh: '服务可达', en: 'service reachable' } : { zh: '连接被拒绝', en: 'connection refused' },
          subject,
          evidence: {},
          phases,
          time: new Date().toISOString(),
          durationMs: Math.round((performance.now() - t0) * 10) / 10,
        });
        const sock = connect({ host: '127.0.0.1', port: config.port }, () => {
          connected = performance.now();
          sock.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
        });
        sock.once('data', () => {
          const now = performance.now();
          sock.destroy();
          resolve([result(true, { connect: round(connected - t0), firstByte: round(now - connected) })]);
        });
        sock.once('error', () => resolve([result(false, { connect: round(performance.now() - t0) })]));
      }),
  }),
};

const round = (ms: number) => Math.round(ms * 100) / 100;
