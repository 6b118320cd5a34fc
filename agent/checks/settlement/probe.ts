import { join } from 'node:path';
import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { CaStore, type ProbeEnv } from '../../net/index.js';
import { resolveEndpoints, resolveProxy } from '../shared/endpoint/endpoint.js';
import { endpointResult, SlowStreaks } from '../shared/endpoint/result.js';
import { preloadTrust, probeEndpoints } from '../shared/endpoint/run.js';
import { ChainInspector } from './certificates.js';
import { ClockSkewTracker, type SkewSample } from './clock-skew.js';
import type { SettlementConfig } from './schema.js';
import { resolveSignin, SigninProbe } from './signin.js';

/** A probe context that may carry the environment for HTTPS_PROXY / NO_PROXY (tests inject their own). */
export interface SettlementProbeContext extends ProbeContext {
  env?: NodeJS.ProcessEnv;
}

/**
 * The settlement check's run: every endpoint probed by its kind (agent/net, phases timed), then the clock against
 * the platform's Date headers, every captured server chain through the certificate engine, and the optional 9001
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
      const outcomes = await probeEndpoints(endpoints, env);
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
        if (ep.checkCertificates && chain?.length) results.push(...(await chains.results(ep, chain, outcomes[i]!.reason, now, signal)));
      }
      if (signin) results.push(await signin.run(env));
      return results;
    },
  };
}
