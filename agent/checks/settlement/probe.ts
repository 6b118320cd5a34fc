import { join } from 'node:path';
import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { ChainInspector } from './certificates.js';
import { ClockSkewTracker, type SkewSample } from './clock-skew.js';
import { resolveEndpoints, type ResolvedEndpoint } from './endpoint.js';
import { endpointResult, SlowStreaks } from './endpoint-result.js';
import { PROXY_DEFAULTS } from './endpoint-schema.js';
import type { ProxySettings } from './net/proxy-connect.js';
import { CaStore } from './net/trust.js';
import { probeEndpoint, type EndpointOutcome, type ProbeEnv } from './probes/index.js';
import type { SettlementConfig } from './schema.js';
import { resolveSignin, SigninProbe } from './signin.js';

/** A probe context that may carry the environment for HTTPS_PROXY / NO_PROXY (tests inject their own). */
export interface SettlementProbeContext extends ProbeContext {
  env?: NodeJS.ProcessEnv;
}

/** Endpoints probed at once: enough to finish ten in one timeout, few enough not to burst the platform's line. */
export const CONCURRENCY = 4;

export function resolveProxy(c: SettlementConfig['proxy']): ProxySettings {
  return { ...PROXY_DEFAULTS, noProxy: [], ...(c ?? {}) } as unknown as ProxySettings;
}

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

/** Checks that every CA bundle named can be read now, so a wrong path is reported at once and by name. */
export function preloadTrust(endpoints: ResolvedEndpoint[], cas: CaStore): void {
  for (const ep of endpoints) if (ep.kind === 'tls' || ep.url?.protocol === 'https:') cas.caFor(ep.trust, ep.where);
}

/**
 * The settlement check's run: every endpoint probed by its kind (phases timed), then the clock against the
 * platform's Date headers, every captured server chain through the certificate engine, and the optional 9001
 * sign-in. One result per endpoint (subject: its name), plus the clock's and the certificates'.
 */
export function createSettlementProbe(config: SettlementConfig, ctx: SettlementProbeContext): Probe {
  const where = `checks.${ctx.checkId}`;
  const endpoints = resolveEndpoints(config.endpoints, `${where}.endpoints`);
  const cas = new CaStore();
  preloadTrust(endpoints, cas);
  const proxy = resolveProxy(config.proxy);
  let signin: SigninProbe | null = null;
  if (config.signin?.enabled) {
    if (!ctx.site) throw new Error(`${where}.signin: the site config (fixmedins_code, mdtrtarea_admvs) is not available to this check`);
    signin = new SigninProbe(resolveSignin(config.signin), ctx.site, `${where}.signin`);
  }
  const streaks = new SlowStreaks();
  const clock = new ClockSkewTracker();
  const chains = new ChainInspector(config.certificates ?? {}, ctx.stateDir ? join(ctx.stateDir, 'cert-cache') : undefined);

  return {
    async run(signal) {
      const env: ProbeEnv = { signal, env: ctx.env ?? process.env, proxy, cas, now: () => ctx.now() };
      const outcomes: EndpointOutcome[] = await mapLimit(endpoints, CONCURRENCY, (ep) => probeEndpoint(ep, env));
      const now = ctx.now();
      const results: ProbeResult[] = endpoints.map((ep, i) => endpointResult(ep, outcomes[i]!, streaks, now));
      const samples: SkewSample[] = [];
      endpoints.forEach((ep, i) => {
        const a = outcomes[i]!.answer;
        if (ep.clockReference && a?.date) samples.push({ reference: `${ep.name} ${ep.display}`, date: a.date, localMs: a.firstByteAt });
      });
      const skew = clock.result(samples, now);
      if (skew) results.push(skew);
      for (const [i, ep] of endpoints.entries()) {
        const chain = outcomes[i]!.chain;
        if (ep.checkCertificates && chain?.length) results.push(...(await chains.results(ep, chain, now, signal)));
      }
      if (signin) results.push(await signin.run(env));
      return results;
    },
  };
}
