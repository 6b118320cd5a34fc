import { readFileSync } from 'node:fs';
import type WebSocket from 'ws';
import { ChannelMux } from '../../../agent/tunnel/channels/mux.js';
import { DeskApiClient } from '../../../desk/client/api-client.js';
import type { Desk } from '../../../desk/desk.js';
import type { AssistRequestRow } from '../../../desk/store/assist-types.js';

/**
 * An engineer as the desk's API sees one: a real token, the real HTTPS client desk-cli uses, and the session's
 * channel WebSocket with a ChannelMux on the engineer's end (the engineer opens channels, as a desk does).
 */
export interface TestEngineer {
  name: string;
  token: string;
  api: DeskApiClient;
  request(agent: string, body: Record<string, unknown>): Promise<AssistRequestRow>;
  get(id: string, wait?: number): Promise<AssistRequestRow>;
  attach(id: string): Promise<EngineerSocket>;
}

export interface EngineerSocket {
  ws: WebSocket;
  mux: ChannelMux;
  closed: Promise<{ code: number; reason: string }>;
}

export function testEngineer(desk: Desk, name: string): TestEngineer {
  const token = desk.store.createToken(name, new Date().toISOString());
  const api = new DeskApiClient(new URL(`https://127.0.0.1:${desk.apiPort}`), token, readFileSync(desk.config.tls.caCert));
  return {
    name,
    token,
    api,
    request: async (agent, body) => (await api.post<{ request: AssistRequestRow }>(`/api/v1/agents/${agent}/assist`, body)).request,
    get: async (id, wait) => (await api.get<{ request: AssistRequestRow }>(`/api/v1/assist/${id}`, wait ? { wait: String(wait) } : {}, wait ?? 0)).request,
    attach: async (id) => {
      const ws = await api.socket(`/api/v1/assist/${id}/channels`);
      const mux = new ChannelMux(ws, { side: 'desk' });
      const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
      ws.on('error', () => undefined);
      ws.on('message', (data: Buffer, isBinary) => (isBinary ? mux.handleBinary(data) : void mux.handle(JSON.parse(data.toString()) as never)));
      ws.on('close', () => mux.closeAll());
      return { ws, mux, closed };
    },
  };
}
