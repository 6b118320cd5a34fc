import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TestDesk } from './harness.js';

/**
 * A misbehaving desk for the agent's side of the protocol tests: the real desk's certificates (so the agent trusts
 * it), and a script saying what to do on each connection after the agent's hello.
 */
export type Behaviour = (ws: WebSocket, hello: Record<string, any>) => void;

export interface FakeDesk {
  port: number;
  /** Close codes the agent sent, one per connection, in order. */
  closes: { code: number; reason: string }[];
  stop(): Promise<void>;
}

export const goodHello = (lastCommittedSeq = 0) => ({
  type: 'hello',
  protocol: 1,
  deskTime: new Date().toISOString(),
  lastCommittedSeq,
  policy: { heartbeatSeconds: 60, maxBatchEvents: 100, maxBatchBytes: 100_000, windowEvents: 500 },
});

export async function startFakeDesk(d: TestDesk, script: Behaviour[], port = 0): Promise<FakeDesk> {
  const server: Server = createServer({
    key: readFileSync(join(d.dir, 'server.key')),
    cert: readFileSync(join(d.dir, 'server.pem')),
    ca: readFileSync(join(d.dir, 'ca.pem')),
    requestCert: true,
    rejectUnauthorized: true,
  });
  const wss = new WebSocketServer({ server, maxPayload: 10 * 1024 * 1024 });
  const closes: FakeDesk['closes'] = [];
  let n = 0;
  wss.on('connection', (ws) => {
    const behaviour = script[Math.min(n++, script.length - 1)]!;
    ws.on('error', () => undefined);
    ws.once('message', (data) => behaviour(ws, JSON.parse(data.toString()) as Record<string, any>));
    ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    closes,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
