import { probeTarget, type CaStore, type ProbeEnv, type ProbeOutcome } from '../../../net/index.js';
import type { ResolvedEndpoint } from './endpoint.js';

/** Endpoints probed at once: enough to finish ten in one timeout, few enough not to burst the platform's line. */
export const CONCURRENCY = 4;

/** Runs `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Probes every endpoint by its kind, CONCURRENCY at a time; outcomes in the endpoints' order. */
export function probeEndpoints(endpoints: ResolvedEndpoint[], env: ProbeEnv): Promise<ProbeOutcome[]> {
  return mapLimit(endpoints, CONCURRENCY, (ep) => probeTarget(ep, env));
}

/** Checks that every CA bundle named can be read now, so a wrong path is reported at once and by name. */
export function preloadTrust(endpoints: ResolvedEndpoint[], cas: CaStore): void {
  for (const ep of endpoints) if (ep.kind === 'tls' || ep.url?.protocol === 'https:') cas.caFor(ep.trust, ep.where);
}
