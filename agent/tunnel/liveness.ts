import type WebSocket from 'ws';
import { between } from './backoff.js';

/**
 * WebSocket pings at a random interval in [minMs, maxMs]; after `missedPongs` pings in a row without a pong the
 * peer is taken for dead and the socket terminated (a TCP connection can stay "up" through a dead NAT or proxy).
 */
export class PingWatch {
  private timer?: NodeJS.Timeout;
  private missed = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly o: { minMs: number; maxMs: number; missedPongs: number; random: () => number; onDead(why: string): void },
  ) {
    ws.on('pong', () => void (this.missed = 0));
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      if (this.missed >= this.o.missedPongs) {
        this.o.onDead(`desk did not answer ${this.o.missedPongs} pings; connection taken for dead`);
        this.ws.terminate();
        return;
      }
      this.missed++;
      this.ws.ping();
      this.schedule();
    }, between(this.o.minMs, this.o.maxMs, this.o.random));
    this.timer.unref();
  }
}
