import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVICE_V8_FLAGS, tuneForService } from './service-tuning.js';

describe('service tuning', () => {
  it('GUARDPOST_V8_DEFAULTS=1 leaves V8 as it is', () => {
    expect(tuneForService({ GUARDPOST_V8_DEFAULTS: '1' })).toEqual([]);
  });

  // In a child: the flags are process-wide and this worker runs other tests.
  it('sets every flag at run time, and V8 then stops optimising', () => {
    const module = fileURLToPath(new URL('./service-tuning.ts', import.meta.url));
    const script = `
      const { tuneForService } = await import(${JSON.stringify(module)});
      const flags = tuneForService({});
      function hot(x) { return x * 2 + 1; }
      %PrepareFunctionForOptimization(hot); hot(1); hot(2); %OptimizeFunctionOnNextCall(hot); hot(3);
      console.log(JSON.stringify({ flags, optimised: (%GetOptimizationStatus(hot) & 16) !== 0 }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ flags: [...SERVICE_V8_FLAGS], optimised: false });
  });
});
