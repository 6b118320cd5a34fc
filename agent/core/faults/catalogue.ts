import type { CheckPlugin } from '../checks/plugin.js';
import { CORE_FAULTS } from './core-faults.js';
import type { FaultDefinition } from './types.js';

/** All fault codes the agent can raise, in one place: the core's own and every plugin's. */
export class FaultCatalogue {
  readonly byCode = new Map<string, FaultDefinition & { owner: string }>();

  constructor(plugins: CheckPlugin[]) {
    const add = (def: FaultDefinition, owner: string) => {
      const prior = this.byCode.get(def.code);
      if (prior) throw new Error(`fault code ${def.code} is defined twice: by ${prior.owner} and by ${owner}`);
      if (!/^[A-Z][A-Z0-9_]*$/.test(def.code)) throw new Error(`fault code "${def.code}" (${owner}) must be UPPER_SNAKE_CASE`);
      this.byCode.set(def.code, { ...def, owner });
    };
    for (const def of CORE_FAULTS) add(def, 'core');
    for (const p of plugins) for (const def of p.faults) add(def, p.type);
  }

  get(code: string): FaultDefinition | undefined {
    return this.byCode.get(code);
  }

  codes(): Set<string> {
    return new Set(this.byCode.keys());
  }
}
