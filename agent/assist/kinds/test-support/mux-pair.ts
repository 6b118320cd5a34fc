import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { ChannelMux, type MuxOptions, type OpenHandler } from '../../../tunnel/channels/mux.js';

export interface MuxPair {
  agent: ChannelMux;
  desk: ChannelMux;
  close(): Promise<void>;
}

function wire(ws: WebSocket, mux: ChannelMux): void {
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) return mux.handleBinary(data);
    void mux.handle(JSON.parse(data.toString('utf8')) as never);
  });
  ws.on('close', () => mux.closeAll());
}

/**
 * Two real muxes joined by a real WebSocket pair on 127.0.0.1: side "agent" with the open handler under test, side
 * "desk" for the test to open channels from, as the desk would.
 */
export async function muxPair(onOpen: OpenHandler, options: { agent?: Partial<MuxOptions>; desk?: Partial<MuxOptions> } = {}): Promise<MuxPair> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const serverSide = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise<void>((resolve, reject) => (client.once('open', resolve), client.once('error', reject)));
  const server = await serverSide;
  const agent = new ChannelMux(server, { side: 'agent', ...options.agent });
  const desk = new ChannelMux(client, { side: 'desk', ...options.desk });
  agent.onOpen(onOpen);
  wire(server, agent);
  wire(client, desk);
  return {
    agent,
    desk,
    close: async () => {
      client.close();
      server.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
