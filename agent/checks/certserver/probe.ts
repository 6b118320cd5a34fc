import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { CaStore, type ProbeEnv } from '../../net/index.js';
import { resolveEndpoint, resolveEndpoints, resolveProxy } from '../shared/endpoint/endpoint.js';
import { endpointResult, SlowStreaks } from '../shared/endpoint/result.js';
import { preloadTrust, probeEndpoints } from '../shared/endpoint/run.js';
import type { EndpointConfig } from '../shared/endpoint/schema.js';
import type { CertserverConfig } from './schema.js';

export interface CertserverProbeContext extends ProbeContext {
  env?: NodeJS.ProcessEnv;
}

/** No certificate engine or clock comparison here: the cert check watches the server's certificates. */
const serverOnly = (e: Omit<EndpointConfig, 'checkCertificates' | 'clockReference'>): EndpointConfig => ({ ...e, checkCertificates: false, clockReference: false });

/** Turns an endpoint result into the authentication server's terms: down, degraded (function failed), slow. */
function asServiceResult(r: ProbeResult, role: 'service' | 'function'): ProbeResult {
  const labels = { ...r.labels, role };
  if (r.reason === 'ok' || r.reason === 'slow') return { ...r, labels };
  const reason = role === 'service' ? 'service_down' : 'function_failed';
  const what = role === 'service' ? { zh: '安全认证支撑系统停止服务：', en: 'authentication service down: ' } : { zh: '安全认证服务功能异常：', en: 'authentication function failing: ' };
  return {
    ...r,
    reason,
    labels,
    evidence: { probeReason: r.reason, ...r.evidence },
    message: { zh: `${what.zh}${r.message.zh}`, en: `${what.en}${r.message.en}` },
  };
}

/** Probes the service (port or health URL) and each functional endpoint with agent/net's probes. */
export function createCertserverProbe(config: CertserverConfig, ctx: CertserverProbeContext): Probe {
  const where = `checks.${ctx.checkId}`;
  const service = resolveEndpoint(serverOnly(config.service), `${where}.service`);
  const functions = resolveEndpoints((config.functions ?? []).map(serverOnly), `${where}.functions`);
  if (functions.some((f) => f.name === service.name)) throw new Error(`${where}.functions: the name "${service.name}" is the service's; names must be unique`);
  const endpoints = [service, ...functions];
  const role = (i: number): 'service' | 'function' => (i === 0 ? 'service' : 'function');
  const cas = new CaStore();
  preloadTrust(endpoints, cas);
  const proxy = resolveProxy(config.proxy);
  const streaks = new SlowStreaks();
  return {
    async run(signal) {
      const env: ProbeEnv = { signal, env: ctx.env ?? process.env, proxy, cas, now: () => ctx.now() };
      const outcomes = await probeEndpoints(endpoints, env);
      const now = ctx.now();
      return endpoints.map((ep, i) => asServiceResult(endpointResult(ep, outcomes[i]!, streaks, now), role(i)));
    },
  };
}
