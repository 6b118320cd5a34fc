import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { forwardKind } from '../../agent/assist/kinds/forward/plugin.js';
import { assistRig, basePolicy, collect, waitFor } from '../../agent/assist/kinds/test-support/assist-rig.js';
import { muxPair } from '../../agent/assist/kinds/test-support/mux-pair.js';
import type { Channel } from '../../agent/tunnel/channels/channel.js';

/*
 * The forward kind end to end: real TCP servers on 127.0.0.1, the real session layer and audit log, two real muxes
 * over a loopback WebSocket. The desk side opens forward channels as an engineer's client would.
 */
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

/** A TCP server on loopback that counts the connections reaching it. */
async function tcpServer(onConnection: (s: Socket) => void): Promise<{ server: Server; target: string; connections: () => number }> {
  let n = 0;
  const open = new Set<Socket>();
  const server = createServer((s) => {
    n++;
    open.add(s.on('close', () => open.delete(s)));
    onConnection(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(() => new Promise((r) => (open.forEach((s) => s.destroy()), server.close(r))));
  return { server, target: `127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => n };
}

async function setup(allowed: string[], requested: string[] = allowed) {
  const rig = await assistRig(basePolicy({ forwardTargets: allowed }), () => [forwardKind({ connectTimeoutMs: 5000 })]);
  const pair = await muxPair(rig.handler);
  cleanup.push(() => rig.close(), () => pair.close());
  const session = rig.approved({ kinds: ['forward'], forwardTargets: requested });
  return { rig, pair, session };
}

const forwardRecords = async (rig: Awaited<ReturnType<typeof setup>>['rig']) => (await rig.records()).filter((r) => r.kind === 'forward-connection');
const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', (e: { reason?: string }) => e.reason);

/** Deterministic pseudo-random bytes (xorshift32), the same on both ends without storing them. */
function* pseudoRandom(total: number, chunk = 64 * 1024): Generator<Buffer> {
  let x = 0x9e3779b9;
  for (let sent = 0; sent < total; sent += chunk) {
    const b = Buffer.allocUnsafe(Math.min(chunk, total - sent));
    for (let i = 0; i + 4 <= b.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b.writeUInt32LE(x >>> 0, i);
    }
    yield b;
  }
}

describe('forward', () => {
  it('round-trips bytes through a local echo server; the engineer closing ends the connection, audited with bytes each way', async () => {
    const ended: string[] = [];
    const echo = await tcpServer((s) => (s.pipe(s), s.on('end', () => ended.push('end'))));
    const { rig, pair, session } = await setup([echo.target]);
    const ch = await pair.desk.open({ kind: 'forward', session, params: { target: echo.target } });
    const got = collect(ch);
    await ch.write(Buffer.from('hello, 前置机'));
    await waitFor('echo', () => got.bytes().toString() === 'hello, 前置机');
    ch.close('done');
    await waitFor('target saw the end', () => ended.length === 1);
    const [rec] = await waitFor('audit', async () => (await forwardRecords(rig)).length === 1 && forwardRecords(rig));
    const n = Buffer.byteLength('hello, 前置机');
    expect(rec).toMatchObject({ session, engineer: '张工', target: echo.target, bytesToTarget: n, bytesFromTarget: n, closedBy: 'engineer' });
    expect(typeof rec!.durationMs).toBe('number');
  });

  it("the target's FIN closes the channel 'done' after everything it sent", async () => {
    const bye = await tcpServer((s) => s.end('bye from HIS'));
    const { rig, pair, session } = await setup([bye.target]);
    const got = collect(await pair.desk.open({ kind: 'forward', session, params: { target: bye.target } }));
    expect(await got.closed).toBe('done');
    expect(got.bytes().toString()).toBe('bye from HIS');
    const [rec] = await waitFor('audit', async () => (await forwardRecords(rig)).length === 1 && forwardRecords(rig));
    expect(rec).toMatchObject({ closedBy: 'target', bytesFromTarget: 12, bytesToTarget: 0 });
  });

  it('a target that sends and closes at once loses nothing to an engineer who reads unevenly (the last chunk waits for credit)', async () => {
    const data = Buffer.concat([...pseudoRandom(10 * 1024 * 1024)]);
    const burst = await tcpServer((s) => s.end(data));
    const { pair, session } = await setup([burst.target]);
    const short: number[] = [];
    for (let trial = 0; trial < 12; trial++) {
      const ch = await pair.desk.open({ kind: 'forward', session, params: { target: burst.target } });
      const chunks: Buffer[] = [];
      let n = 0;
      ch.setReader(async (b) => {
        chunks.push(b);
        // Pauses of 1–3 ms every few chunks: credit comes back in bursts, as from a real engineer's link.
        if (++n % (2 + (trial % 8)) === 0) await new Promise((r) => setTimeout(r, 1 + (trial % 3)));
      });
      expect(await new Promise<string>((resolve) => ch.once('close', resolve))).toBe('done');
      const got = Buffer.concat(chunks);
      if (!got.equals(data)) short.push(data.length - got.length);
    }
    expect(short, 'bytes missing per transfer that came out wrong').toEqual([]);
  });

  it('downloads 100 MB over HTTP with identical SHA-256 at both ends, no channel ever holding more than its window', { timeout: 180_000 }, async () => {
    const SIZE = 100 * 1024 * 1024;
    let served = '';
    const http = createHttpServer(async (_req, res) => {
      const h = createHash('sha256');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': SIZE });
      for (const b of pseudoRandom(SIZE)) {
        h.update(b);
        if (!res.write(b)) await once(res, 'drain');
      }
      res.end();
      served = h.digest('hex');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanup.push(() => new Promise((r) => (http.closeAllConnections(), http.close(r))));
    const target = `127.0.0.1:${(http.address() as { port: number }).port}`;
    const { rig, pair, session } = await setup([target]);
    const ch = await pair.desk.open({ kind: 'forward', session, params: { target } });
    const agentSide = await waitFor('agent channel', () => pair.agent.list()[0]);

    const h = createHash('sha256');
    let head = Buffer.alloc(0);
    let body = 0;
    const closed = new Promise<string>((r) => ch.once('close', r));
    ch.setReader((chunk) => {
      if (body === 0 && head.indexOf('\r\n\r\n') < 0) {
        head = Buffer.concat([head, chunk]);
        const at = head.indexOf('\r\n\r\n');
        if (at < 0) return;
        chunk = head.subarray(at + 4);
        head = head.subarray(0, at);
      }
      h.update(chunk);
      body += chunk.length;
    });
    await ch.write(Buffer.from(`GET /data HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`));
    expect(await closed).toBe('done'); // the server closes after the response (Connection: close)
    expect(head.toString()).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(body).toBe(SIZE);
    expect(h.digest('hex')).toBe(served);
    // Flow control held: each end received no more than its window before its reader consumed it.
    expect(ch.stats.maxUnconsumed).toBeLessThanOrEqual(ch.window);
    expect(agentSide.stats.maxUnconsumed).toBeLessThanOrEqual(agentSide.window);
    expect(agentSide.stats.bytesSent).toBeGreaterThan(SIZE);
    const [rec] = await waitFor('audit', async () => (await forwardRecords(rig)).length === 1 && forwardRecords(rig));
    expect(rec).toMatchObject({ closedBy: 'target', bytesFromTarget: agentSide.stats.bytesSent });
  });

  it('a target not in assist.forwardTargets is refused before any connection, and the refusal is audited', async () => {
    const allowed = await tcpServer((s) => s.end());
    const other = await tcpServer((s) => s.end());
    const { rig, pair, session } = await setup([allowed.target]);
    expect(await refusal(pair.desk.open({ kind: 'forward', session, params: { target: other.target } }))).toBe('denied');
    expect(other.connections()).toBe(0);
    expect(await forwardRecords(rig)).toEqual([expect.objectContaining({ target: other.target, closedBy: 'refused', detail: expect.stringContaining('not in assist.forwardTargets') })]);
    // a name is not its address: never resolved, so never widened
    expect(await refusal(pair.desk.open({ kind: 'forward', session, params: { target: other.target.replace('127.0.0.1', 'localhost') } }))).toBe('denied');
    expect(other.connections()).toBe(0);
  });

  it('a target the policy allows but the request did not name is refused', async () => {
    const a = await tcpServer((s) => s.end());
    const b = await tcpServer((s) => s.end());
    const { rig, pair, session } = await setup([a.target, b.target], [a.target]);
    expect(await refusal(pair.desk.open({ kind: 'forward', session, params: { target: b.target } }))).toBe('denied');
    expect(b.connections()).toBe(0);
    expect(rig.logger.lines.some((l) => /not among the targets the session's request named/.test((l.fields as { detail?: string }).detail ?? ''))).toBe(true);
    expect(await refusal(pair.desk.open({ kind: 'forward', session, params: { target: a.target } }))).toBe('accepted');
  });

  it("bad params are bad_params; a connect error is 'error' with the errno audited", async () => {
    const gone = await tcpServer(() => undefined);
    const target = gone.target;
    await new Promise((r) => gone.server.close(r)); // nothing listens there any more
    const { rig, pair, session } = await setup([target]);
    expect(await refusal(pair.desk.open({ kind: 'forward', session, params: { target: '127.0.0.1:*' } }))).toBe('bad_params');
    expect(await refusal(pair.desk.open({ kind: 'forward', session, params: { target, extra: 1 } }))).toBe('bad_params');
    expect(await refusal(pair.desk.open({ kind: 'forward', session, params: { target } }))).toBe('error');
    expect(await forwardRecords(rig)).toEqual([expect.objectContaining({ target, closedBy: 'error', errno: 'ECONNREFUSED' })]);
    expect(rig.logger.lines.some((l) => /ECONNREFUSED/.test((l.fields as { detail?: string }).detail ?? ''))).toBe(true);
  });

  it('ending the session closes the channel session_ended and the connection with it', async () => {
    const closedAtTarget: string[] = [];
    const held = await tcpServer((s) => (s.resume(), s.on('close', () => closedAtTarget.push('closed'))));
    const { rig, pair, session } = await setup([held.target]);
    const ch: Channel = await pair.desk.open({ kind: 'forward', session, params: { target: held.target } });
    const got = collect(ch);
    await ch.write(Buffer.from('x'));
    rig.sessions.endByEngineer(session, 'finished');
    expect(await got.closed).toBe('session_ended');
    await waitFor('target connection closed', () => closedAtTarget.length === 1);
    const [rec] = await waitFor('audit', async () => (await forwardRecords(rig)).length === 1 && forwardRecords(rig));
    expect(rec).toMatchObject({ closedBy: 'session' });
  });
});
