import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { AgentDeskConfigLike } from './types.js';

/** A bare WebSocket with a real agent certificate, for sending the desk whatever a test wants. */
export interface RawAgent {
  ws: WebSocket;
  received: Record<string, any>[];
  closed: Promise<{ code: number; reason: string }>;
  send(x: unknown): void;
  next(type: string): Promise<Record<string, any>>;
}

export async function rawAgent(desk: AgentDeskConfigLike): Promise<RawAgent> {
  const ws = new WebSocket(desk.url!, {
    ca: readFileSync(desk.caFile!),
    cert: readFileSync(desk.certFile!),
    key: readFileSync(desk.keyFile!),
    maxPayload: 4 * 1024 * 1024,
    perMessageDeflate: false,
  });
  const received: Record<string, any>[] = [];
  const waiters: { type: string; resolve: (m: Record<string, any>) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Record<string, any>;
    received.push(m);
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    received,
    closed,
    send: (x) => ws.send(typeof x === 'string' || Buffer.isBuffer(x) ? x : JSON.stringify(x)),
    next: (type) => {
      const have = received.find((m) => m.type === type);
      return have ? Promise.resolve(have) : new Promise((resolve) => waiters.push({ type, resolve }));
    },
  };
}
