import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ChannelMux } from '../../agent/tunnel/channels/mux.js';
import { closeReason, decodeFrame } from '../../agent/tunnel/protocol/codec.js';
import { CLOSE } from '../../agent/tunnel/protocol/constants.js';
import { CHANNEL_TYPES, type ChannelMessage } from '../../agent/tunnel/protocol/messages.js';
import { AssistError, type AssistHub, type EngineerEnd } from './assist-hub.js';

/** Where an engineer attaches to a running session's channels (GET with a WebSocket upgrade). */
export const CHANNELS_PATH = /^\/api\/v1\/assist\/([0-9A-Fa-f-]{8,36})\/channels$/;

/** Largest frame an engineer may send: a data frame of the engineer's mux (16 KiB by default) with room to spare. */
const MAX_ENGINEER_FRAME = 256 * 1024;

interface SocketLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface EngineerSocketDeps {
  hub: AssistHub;
  /** The engineer's name for a valid API token, or null. */
  verifyToken(token: string): string | null;
  logger: SocketLogger;
}

/**
 * The engineers' WebSockets, one per session they attach to, on the engineer API's HTTPS server: the `upgrade`
 * event of that server (ws with noServer), so fastify keeps every other request. Authenticated like the API (a
 * bearer token); only the engineer who made the request may attach, and only while its session runs. On the socket
 * the engineer speaks the protocol's channel messages and binary data frames and opens the channels; each is
 * relayed to a channel the desk opens to the agent (see AssistHub.openForEngineer).
 */
export class EngineerSockets {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_ENGINEER_FRAME, perMessageDeflate: false, clientTracking: false });
  private readonly live = new Set<EngineerSocket>();

  constructor(private readonly d: EngineerSocketDeps) {}

  attach(server: HttpServer | HttpsServer): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  close(): void {
    for (const s of [...this.live]) s.close(1001, 'desk shutting down');
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0] ?? '';
    const m = CHANNELS_PATH.exec(path);
    if (!m) return refuse(socket, 404, `no WebSocket at ${path}; engineers attach to a session at /api/v1/assist/ID/channels`);
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const engineer = bearer ? this.d.verifyToken(bearer[1]!) : null;
    if (!engineer) return refuse(socket, 401, 'a valid token is required (Authorization: Bearer …); create one with guardpost desk-cli token create NAME');
    let requestId: string;
    try {
      requestId = this.d.hub.attachable(m[1]!, engineer).row.id;
    } catch (err) {
      if (err instanceof AssistError) return refuse(socket, err.statusCode, err.message);
      this.d.logger.warn({ err: (err as Error).message }, 'engineer socket: attach failed');
      return refuse(socket, 500, 'internal error on the desk (see its log)');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const s = new EngineerSocket(ws, requestId, engineer, this.d, () => this.live.delete(s));
      this.live.add(s);
    });
  }
}

/** One engineer's socket on one session: a ChannelMux whose peer (the engineer) opens the channels. */
class EngineerSocket implements EngineerEnd {
  private readonly mux: ChannelMux;
  private alive = true;
  private readonly detach: () => void;

  constructor(
    private readonly ws: WebSocket,
    readonly requestId: string,
    readonly engineer: string,
    d: EngineerSocketDeps,
    gone: () => void,
  ) {
    // The desk takes the agent's role towards the engineer: the engineer opens odd channel numbers, as a desk does.
    this.mux = new ChannelMux(ws, { side: 'agent', warn: (fields, message) => d.logger.warn({ request: requestId, engineer, ...fields }, message) });
    this.mux.onOpen((r) => d.hub.openForEngineer(requestId, engineer, r, () => this.alive));
    this.detach = d.hub.addEngineer(requestId, this);
    d.logger.info({ request: requestId, engineer }, 'engineer attached to a session');
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return this.mux.handleBinary(data);
      const decoded = decodeFrame(data, false, 'desk', MAX_ENGINEER_FRAME);
      if (!decoded.ok) return this.close(decoded.close, decoded.reason);
      if (!(CHANNEL_TYPES as string[]).includes(decoded.message.type)) return this.close(CLOSE.unknownType, `only channel messages on this socket, not "${decoded.message.type}"`);
      void this.mux.handle(decoded.message as ChannelMessage);
    });
    ws.on('error', (err) => d.logger.warn({ request: requestId, engineer, err: err.message }, 'engineer socket error'));
    ws.on('close', () => {
      this.alive = false;
      this.mux.closeAll('connection_lost');
      this.detach();
      gone();
      d.logger.info({ request: requestId, engineer }, 'engineer detached from a session');
    });
  }

  get open(): boolean {
    return this.alive;
  }

  close(code: number, reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.ws.close(code, closeReason(reason));
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
}

/** Answers an upgrade it will not take with an HTTP status and `{"error"}`, as the API does. */
function refuse(socket: Duplex, status: number, error: string): void {
  const body = JSON.stringify({ error });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
