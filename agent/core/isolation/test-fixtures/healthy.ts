/** Test-only isolated check: fast, counts its runs in the child and in the transferred state. */
import { isSecret } from '../../config/secret.js';
import { fixturePlugin, okResult } from './fixture-plugin.js';

interface HealthyConfig {
  pin?: unknown;
  pinExpected?: string;
}

let runsInThisChild = 0;

export const plugin = fixturePlugin<HealthyConfig>('healthy', import.meta.url, (config, ctx) => ({
  async run() {
    runsInThisChild += 1;
    const stateRuns = (ctx.state.get<number>() ?? 0) + 1;
    ctx.state.set(stateRuns);
    const pinOk = isSecret(config.pin) && config.pin.reveal() === config.pinExpected;
    return [okResult('healthy', { pid: process.pid, runsInThisChild, stateRuns, pinOk, platform: ctx.platform.name })];
  },
}));
