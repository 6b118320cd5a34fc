import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP forwarder placed between agent and desk, to cut connections at chosen moments or to swallow
 * traffic (a dead peer whose TCP connection stays up).
 */
export class TcpProxy {
  private server!: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  port = 0;
  accepted = 0;
  /** While true, bytes are read and dropped instead of forwarded (in both directions). */
  blackhole = false;
  onConnection?: (n: number) => void;

  constructor(private readonly targetPort: number) {}

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    this.server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      this.accepted++;
      const forward = (from: Socket, to: Socket) =>
        from.on('data', (b) => {
          if (!this.blackhole && !to.destroyed) to.write(b);
        });
      forward(client, upstream);
      forward(upstream, client);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      this.onConnection?.(this.accepted);
    });
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Destroys every open connection (an RST mid-stream, as a broken network does). */
  cutAll(): number {
    const n = this.pairs.size;
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    return n;
  }

  get open(): number {
    return this.pairs.size;
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
