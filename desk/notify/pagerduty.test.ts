import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pagerdutyChannel } from './pagerduty.js';
import type { NotifyFault } from './types.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A loopback receiver answering as the Events API v2 does: 202 for a valid event, 400 for an invalid one. */
async function eventsApi(replies: number[] = []): Promise<{ url: string; events: Record<string, any>[] }> {
  const events: Record<string, any>[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const status = replies.shift() ?? 202;
      const event = JSON.parse(raw) as Record<string, any>;
      const valid = typeof event.routing_key === 'string' && event.routing_key.length === 32 && ['trigger', 'resolve'].includes(event.event_action);
      if (status === 202 && !valid) return void res.writeHead(400).end(JSON.stringify({ status: 'invalid event', message: 'Event object is invalid' }));
      if (status === 202) events.push(event);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: status === 202 ? 'success' : 'error', dedup_key: event.dedup_key }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/enqueue`, events };
}

const KEY = 'R0123456789abcdef0123456789abcde'; // 32 characters, as PagerDuty's integration keys
const fault = (over: Partial<NotifyFault> = {}): NotifyFault => ({
  faultId: 'occ-1', code: 'CERT_EXPIRED', grade: 'critical', titleZh: '证书已过期', titleEn: 'certificate expired',
  agentId: 'P44010600123-POS-01', institution: 'P44010600123', since: '2026-12-03T08:00:00.000Z', ...over,
});

describe('PagerDuty Events v2 variant of the webhook', () => {
  it('one trigger event per fault, deduplicated by the occurrence, and a resolve event when it resolves', async () => {
    const api = await eventsApi();
    const channel = pagerdutyChannel({ name: 'pd', routingKey: KEY, url: api.url });
    const link = 'https://desk.example/console';
    expect(await channel.send({ faults: [fault(), fault({ faultId: 'occ-2', grade: 'minor' })], consoleBaseUrl: link })).toEqual({ kind: 'sent' });
    expect(api.events.map((e) => [e.event_action, e.dedup_key, e.payload.severity])).toEqual([
      ['trigger', 'occ-1', 'critical'],
      ['trigger', 'occ-2', 'warning'],
    ]);
    expect(api.events[0]!.payload).toMatchObject({ source: 'P44010600123-POS-01', component: 'CERT_EXPIRED', group: 'P44010600123' });
    expect(api.events[0]!.links).toEqual([{ href: `${link}/faults/occ-1`, text: '查看 view' }]);
    expect(await channel.send({ faults: [fault({ resolved: true })] })).toEqual({ kind: 'sent' });
    expect(api.events[2]).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: 'occ-1' });
  });

  it('429 and 5xx are retried, an invalid event (400) is permanent', async () => {
    const api = await eventsApi([429, 503]);
    const channel = pagerdutyChannel({ name: 'pd', routingKey: KEY, url: api.url });
    expect(await channel.send({ faults: [fault()] })).toMatchObject({ kind: 'retry', reason: 'HTTP 429' });
    expect(await channel.send({ faults: [fault()] })).toMatchObject({ kind: 'retry', reason: 'HTTP 503' });
    const bad = pagerdutyChannel({ name: 'pd', routingKey: 'short', url: api.url });
    expect(await bad.send({ faults: [fault()] })).toEqual({ kind: 'permanent', reason: 'HTTP 400' });
  });
});
