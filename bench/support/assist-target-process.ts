/**
 * Bench tool for bench/assist.bench.ts: the "local TCP server on the terminal" a forward reaches, in its own process
 * (so it competes with neither the measuring client nor the agent's event loop). One port, three services chosen by
 * the first line the client sends; the server greets every connection with "HELLO\n" first, so a client knows the
 * whole path (a forward's channel open and the agent's connect, or socat's connect) is up before it starts a clock.
 *   GET <n>\n   the server sends n bytes (a fixed 64 KiB pattern, with backpressure), then FIN
 *   PUT <n>\n   the server reads n bytes, then answers "OK <n>\n"
 *   ECHO\n      every byte after the line is sent back
 * Prints READY <port>. Run: node --import tsx bench/support/assist-target-process.ts
 */
import { createServer, type Socket } from 'node:net';

const CHUNK = Buffer.alloc(64 * 1024, 'guardpost-bench/');

function serveGet(s: Socket, total: number): void {
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      if (!s.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        s.once('drain', pump);
        return;
      }
    }
    s.end();
  };
  pump();
}

const open = new Set<Socket>();
const server = createServer((s) => {
  open.add(s);
  s.once('close', () => open.delete(s));
  s.on('error', () => undefined);
  s.setNoDelay(true);
  s.write('HELLO\n');
  let head: Buffer = Buffer.alloc(0);
  const onHead = (chunk: Buffer): void => {
    head = head.length ? Buffer.concat([head, chunk]) : chunk;
    const nl = head.indexOf(0x0a);
    if (nl < 0) return;
    s.off('data', onHead);
    const line = head.subarray(0, nl).toString();
    const rest = head.subarray(nl + 1);
    const [verb, arg] = line.split(' ');
    if (verb === 'GET') return serveGet(s, Number(arg));
    if (verb === 'ECHO') {
      if (rest.length) s.write(rest);
      s.on('data', (b: Buffer) => void s.write(b));
      s.on('end', () => s.end());
      return;
    }
    if (verb === 'PUT') {
      const want = Number(arg);
      let got = rest.length;
      const done = (): void => void s.end(`OK ${got}\n`);
      if (got >= want) return done();
      s.on('data', (b: Buffer) => {
        got += b.length;
        if (got >= want) done();
      });
      return;
    }
    s.destroy();
  };
  s.on('data', onHead);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as { port: number }).port}\n`));
process.on('SIGTERM', () => {
  for (const s of open) s.destroy();
  server.close(() => process.exit(0));
});
