import http, { type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { agentVersion } from '../core/version.js';
import type { Deadline, PhaseTimer } from './deadline.js';
import { codeOf, ProbeFailure, socketFailureReason } from './failure.js';

export interface HttpRequestSpec {
  method: string;
  /** Path and query, e.g. "/fsi/api/ping?x=1". */
  path: string;
  /** Host header value: host[:port], the port only when not the scheme's default. */
  host: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first maxBodyBytes of the body. */
  body: Buffer;
  /** Body bytes received in total. */
  bodyBytes: number;
  /** Wall-clock time (ms since epoch) the first byte arrived: when the server's Date header was about right. */
  firstByteAt: number;
}

/**
 * One HTTP/1.1 request over an already open (and, for https, already handshaken) socket, timing the phases
 * send → firstByte → body. Node's parser does the parsing; the socket is ours, so each phase is measured on it.
 * The socket is closed afterwards (Connection: close): a probe must not keep connections to the platform open.
 */
export function httpExchange(
  socket: Socket,
  spec: HttpRequestSpec,
  maxBodyBytes: number,
  deadline: Deadline,
  timer: PhaseTimer,
  wallNow: () => Date,
): Promise<HttpAnswer> {
  let sent = false;
  let firstByteAt = 0;
  const onFirstByte = (): void => {
    if (!sent) timer.mark('send');
    sent = true;
    timer.mark('firstByte');
    firstByteAt = wallNow().getTime();
  };
  // Registered before the HTTP parser's own listener, so the first byte is stamped before the response is parsed.
  socket.once('data', onFirstByte);
  const headers: Record<string, string> = {
    Host: spec.host,
    'User-Agent': `Guardpost/${agentVersion()}`,
    Accept: '*/*',
    Connection: 'close',
    ...spec.headers,
  };
  if (spec.body) headers['Content-Length'] = String(spec.body.length);
  const req = http.request({ method: spec.method, path: spec.path, headers, setHost: false, createConnection: () => socket });

  const exchange = new Promise<HttpAnswer>((resolve, reject) => {
    req.once('finish', () => {
      if (!sent) timer.mark('send');
      sent = true;
    });
    req.on('error', (err) => reject(new ProbeFailure(socketFailureReason(err, true), { error: codeOf(err) })));
    req.once('response', (res) => {
      const kept: Buffer[] = [];
      let keptBytes = 0;
      let bodyBytes = 0;
      res.on('data', (chunk: Buffer) => {
        bodyBytes += chunk.length;
        if (keptBytes < maxBodyBytes) {
          const part = chunk.subarray(0, maxBodyBytes - keptBytes);
          kept.push(part);
          keptBytes += part.length;
        }
      });
      res.once('end', () => {
        timer.mark('body');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(kept), bodyBytes, firstByteAt });
      });
      res.once('aborted', () => reject(new ProbeFailure('connection_closed', { error: 'BODY_ABORTED', status: res.statusCode ?? 0, bodyBytes })));
      res.on('error', (err) => reject(new ProbeFailure(socketFailureReason(err, true), { error: codeOf(err), status: res.statusCode ?? 0 })));
    });
  });
  req.end(spec.body ?? undefined);
  return deadline
    .race(exchange, 'response_timeout', () => req.destroy())
    .catch((err: unknown) => {
      if (err instanceof ProbeFailure) timer.mark(firstByteAt ? 'body' : sent ? 'firstByte' : 'send');
      throw err;
    })
    .finally(() => {
      socket.off('data', onFirstByte);
      socket.destroy();
    });
}

/** The body as text, in the charset the Content-Type names (GBK pages exist on provincial platforms); UTF-8 otherwise. */
export function bodyText(body: Buffer, headers: IncomingHttpHeaders): string {
  const charset = /charset=["']?([\w.:-]+)/i.exec(String(headers['content-type'] ?? ''))?.[1];
  if (charset) {
    try {
      return new TextDecoder(charset).decode(body);
    } catch {
      // an unknown label: fall back to UTF-8
    }
  }
  return body.toString('utf8');
}
