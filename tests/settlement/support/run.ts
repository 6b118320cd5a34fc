import type { Probe } from '../../../agent/core/checks/plugin.js';
import type { ProbeResult } from '../../../agent/core/checks/result.js';
import { checkConfigWithDefaults } from '../../../agent/core/config/check-config.js';
import type { SiteConfig } from '../../../agent/core/config/schema.js';
import { plugin } from '../../../agent/checks/settlement/index.js';
import type { SettlementConfig } from '../../../agent/checks/settlement/schema.js';
import { testContext } from '../../../agent/checks/shared/testing.js';

export const SITE: SiteConfig = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };

export const settlementConfig = (partial: Record<string, unknown>): SettlementConfig => checkConfigWithDefaults(plugin, partial);

/** A settlement probe on a context with an empty environment (no HTTPS_PROXY of the machine leaks in) and the test site. */
export function settlementProbe(partial: Record<string, unknown>, opts: { env?: NodeJS.ProcessEnv; now?: () => Date } = {}): Probe {
  return plugin.createProbe(settlementConfig(partial), { ...testContext(opts.now ? { now: opts.now } : {}), site: SITE, env: opts.env ?? {} } as never);
}

export async function runOnce(partial: Record<string, unknown>, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<ProbeResult[]> {
  return settlementProbe(partial, opts).run(new AbortController().signal);
}

export function subject(results: ProbeResult[], name: string): ProbeResult {
  const r = results.find((x) => x.subject === name);
  if (!r) throw new Error(`no result for ${name}: ${results.map((x) => x.subject).join(', ')}`);
  return r;
}
