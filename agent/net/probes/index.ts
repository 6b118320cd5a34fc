import { probeDns } from './dns.js';
import { probeHttp } from './http.js';
import type { ProbeEnv, ProbeOutcome, ProbeTarget } from './outcome.js';
import { probeTcp } from './tcp.js';
import { probeTls } from './tls.js';

export { probeDns, probeHttp, probeTcp, probeTls };
export type { HttpOverrides } from './http.js';
export type { AnswerFacts, ProbeEnv, ProbeKind, ProbeOutcome, ProbeTarget } from './outcome.js';

/** One probe of one target, by its kind. */
export function probeTarget(target: ProbeTarget, env: ProbeEnv): Promise<ProbeOutcome> {
  switch (target.kind) {
    case 'dns':
      return probeDns(target, env);
    case 'tcp':
      return probeTcp(target, env);
    case 'tls':
      return probeTls(target, env);
    case 'http':
      return probeHttp(target, env);
  }
}
