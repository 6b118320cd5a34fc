// The one HTTP call every channel makes: POST JSON with a hard timeout, so a hung receiver costs at most timeoutMs.
export interface PostResult {
  status: number;
  body: unknown; // parsed JSON, or the raw text when the body is not JSON
  retryAfterMs?: number;
}

export async function postJson(
  url: string,
  payload: unknown,
  options: { timeoutMs: number; headers?: Record<string, string>; signal?: AbortSignal },
): Promise<PostResult> {
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
    body: JSON.stringify(payload),
    signal: AbortSignal.any(signals),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text, the channel decides
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    status: response.status,
    body,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
}

/** Network errors and timeouts are worth a retry; the reason never carries the URL (it holds the robot's key). */
export function transportFailure(error: unknown): { kind: 'retry'; reason: string } {
  const name = error instanceof Error ? error.name : 'Error';
  if (name === 'TimeoutError') return { kind: 'retry', reason: 'timeout' };
  if (name === 'AbortError') return { kind: 'retry', reason: 'aborted' };
  const cause = error instanceof Error && error.cause instanceof Error ? (error.cause as NodeJS.ErrnoException).code : undefined;
  return { kind: 'retry', reason: `network error${cause ? ` (${cause})` : ''}` };
}

/** HTTP-level classification shared by every channel: 429 and 5xx retry, other non-2xx are permanent. */
export function httpStatusOutcome(result: PostResult): { kind: 'retry' | 'permanent'; reason: string; retryAfterMs?: number } | undefined {
  if (result.status === 429 || result.status >= 500) {
    return { kind: 'retry', reason: `HTTP ${result.status}`, ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}) };
  }
  if (result.status < 200 || result.status >= 300) return { kind: 'permanent', reason: `HTTP ${result.status}` };
  return undefined;
}
