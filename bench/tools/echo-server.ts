// Bench tool: a bare WebSocket echo server with the desk's certificates and mutual TLS — the baseline the desk's
// ingest rate is compared with (same TLS, same frames, no parsing, no validation, no database).
// Run: node --import tsx bench/tools/echo-server.ts DESK_DIR   (prints READY <port>)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';

const dir = process.argv[2]!;
const server = createServer({
  key: readFileSync(join(dir, 'server.key')),
  cert: readFileSync(join(dir, 'server.pem')),
  ca: readFileSync(join(dir, 'ca.pem')),
  requestCert: true,
  rejectUnauthorized: true,
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1024 * 1024 });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as { port: number }).port}\n`));
process.on('SIGTERM', () => process.exit(0));
