import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { AGENT_PATH, CLOSE, MAX_AGENT_FRAME_BYTES } from '../../agent/tunnel/protocol/constants.js';
import { closeReason } from '../../agent/tunnel/protocol/codec.js';
import { AgentSession, noticeLimit, type AgentSessionDeps } from './agent-session.js';

/**
 * The agents' endpoint: HTTPS that demands a client certificate issued by the desk CA (the handshake fails without
 * one), upgraded to a WebSocket at /agent. Silent connections are swept after idleTimeoutSeconds.
 */
export class AgentListener {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private sweep?: NodeJS.Timeout;
  private refusedLogged = 0;
  private revokedLogged = 0;

  constructor(private readonly d: AgentSessionDeps) {
    const tls = d.config.tls;
    this.server = createServer({
      key: readFileSync(tls.key),
      cert: readFileSync(tls.cert),
      ca: readFileSync(tls.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_AGENT_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
    this.server.on('tlsClientError', (err, socket) => {
      // A storm of bad clients must not flood the log: the first ones in detail, then a count.
      if (this.refusedLogged++ < 20) d.logger.warn({ remote: socket.remoteAddress, err: err.message }, 'TLS handshake refused (client certificate missing or not issued by the desk CA?)');
    });
    this.server.on('request', (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`Guardpost desk: agents connect with a WebSocket at ${AGENT_PATH}\n`);
    });
    this.server.on('upgrade', (req, socket, head) => {
      const tlsSocket = socket as TLSSocket;
      const path = (req.url ?? '').split('?')[0];
      const peer = tlsSocket.getPeerCertificate();
      // The handshake already verified the chain; the CN is read from Node's parsed view (no second parse).
      const cn = peer?.subject?.CN;
      const agentId = tlsSocket.authorized ? (Array.isArray(cn) ? undefined : cn) : undefined;
      if (path !== AGENT_PATH || !agentId) {
        socket.end(`HTTP/1.1 ${path !== AGENT_PATH ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      const revoked = d.store.enroll.refusal(agentId, String(peer.serialNumber ?? ''));
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        // A revoked certificate: the WebSocket is opened only to say so with its close code, which the agent reports.
        if (revoked) {
          if (this.revokedLogged++ < 100) d.logger.warn({ agent: agentId, why: revoked }, 'revoked agent refused (4010)');
          ws.close(CLOSE.revoked, closeReason(revoked));
          setTimeout(() => ws.terminate(), 2000).unref();
          return;
        }
        // Refused before hello: a reconnect storm costs the desk no database write and no snapshot.
        if (!d.limits.allowConnect(agentId)) {
          const detail = `more than ${d.config.limits.connectBurst} connects at once or ${d.config.limits.connectsPerMinute} a minute`;
          noticeLimit(d, agentId, 'connects', detail);
          ws.close(CLOSE.rateLimited, closeReason(`rate limited: ${detail}`));
          setTimeout(() => ws.terminate(), 2000).unref();
          return;
        }
        new AgentSession(ws, agentId, `${tlsSocket.remoteAddress}:${tlsSocket.remotePort}`, d);
      });
    });
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port, backlog: 4096 }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const idleMs = this.d.config.idleTimeoutSeconds * 1000;
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const s of this.d.registry.all) if (now - s.lastFrameAt > idleMs) s.terminate(`silent for more than ${this.d.config.idleTimeoutSeconds} s`);
    }, Math.min(10_000, idleMs / 3));
    this.sweep.unref();
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops accepting, closes every agent connection with 1001 (going away), and waits for the server to close. */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    for (const s of this.d.registry.all) s.close(CLOSE.goingAway, 'desk shutting down');
    this.server.closeIdleConnections?.();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      setTimeout(() => {
        this.server.closeAllConnections?.();
        resolve();
      }, 2500).unref();
    });
  }
}
