import { request } from 'node:https';

/** A small HTTPS JSON client for the engineer API that trusts only the desk's CA (Node's fetch cannot take a CA). */
export class DeskApiClient {
  constructor(
    private readonly base: URL,
    private readonly token: string,
    private readonly ca?: Buffer,
  ) {}

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    return this.call<T>('GET', url);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', new URL(path, this.base), body);
  }

  private call<T>(method: string, url: URL, body?: unknown): Promise<T> {
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
          timeout: 15_000,
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
      req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within 15 s`)));
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
