import { request } from 'node:https';
import WebSocket from 'ws';

/** How long an answer may take, beyond the time a long poll asks the desk to wait. */
const ANSWER_MS = 15_000;

/** A small HTTPS JSON client for the engineer API that trusts only the desk's CA (Node's fetch cannot take a CA). */
export class DeskApiClient {
  constructor(
    private readonly base: URL,
    private readonly token: string,
    private readonly ca?: Buffer,
  ) {}

  /** `waitSeconds`: the call is a long poll the desk may hold that long. */
  get<T>(path: string, query: Record<string, string | undefined> = {}, waitSeconds = 0): Promise<T> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    return this.call<T>('GET', url, undefined, ANSWER_MS + waitSeconds * 1000);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', new URL(path, this.base), body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', new URL(path, this.base));
  }

  /**
   * A WebSocket to the engineer API (a session's channels), with the token and the desk's CA. Resolves once open;
   * a refusal rejects with the desk's status and message, as the JSON calls do.
   */
  socket(path: string): Promise<WebSocket> {
    const url = new URL(path, this.base);
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.token}` }, ...(this.ca ? { ca: this.ca } : {}), perMessageDeflate: false, maxPayload: 1024 * 1024 });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let error: string;
          try {
            error = (JSON.parse(text) as { error?: string }).error ?? `HTTP ${res.statusCode}`;
          } catch {
            error = text.slice(0, 200) || `HTTP ${res.statusCode}`;
          }
          reject(new ApiError(res.statusCode ?? 500, error));
          ws.terminate(); // after the rejection: the 'error' terminate() emits finds the promise settled
        });
      });
      ws.once('error', reject);
    });
  }

  private call<T>(method: string, url: URL, body?: unknown, timeoutMs = ANSWER_MS): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ...(this.ca ? { ca: this.ca } : {}),
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = { error: text.slice(0, 200) };
            }
            if ((res.statusCode ?? 500) >= 400) reject(new ApiError(res.statusCode ?? 500, (json as { error?: string }).error ?? `HTTP ${res.statusCode}`));
            else resolve(json as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within ${Math.round(timeoutMs / 1000)} s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
