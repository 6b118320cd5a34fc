import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for the long-running agent (`guardpost run`), applied by bin/guardpost.js before the agent's modules
 * load (the memory bench's agent applies the same). The agent is idle between short check runs: these trade CPU it
 * hardly uses for memory a till PC needs. What each bought, bench/agent-memory (24 h accelerated, page and desk on):
 * - `--no-opt` (no TurboFan), ~13 MB: almost nothing runs hot enough to pay back an optimised compile, yet the
 *   optimiser pages in ~4 MB of node's own code and keeps optimised code, deopt data and compile zones. The check
 *   cycles cost the same CPU; CPU-heavy JS (a large CRL parse, cached once parsed) takes ~20 % longer.
 * - `--semi-space-growth-factor=1`, ~5 MB: the young generation stays at its initial 1 MB semi-spaces; V8 grows
 *   them up to 16 MB each for a burst of allocation (start-up, a manual run) and gives them back only in part.
 * - `--no-sparkplug` (no baseline compiler), ~2 MB: the interpreter only. Check cycles ~5 % more CPU, CPU-heavy JS
 *   ~1.5× more again (1.8× V8's defaults in all); regular expressions are still compiled.
 * - `--optimize-for-size` and `--bytecode-old-age=2`, ~1 MB at 24 h: heap growth and memory reduction lean to the small
 *   side, and bytecode of functions that have not run for two full GCs (start-up code: config, schemas) is flushed
 *   sooner (recompiled lazily if it runs again). Check cycles ~15 % more CPU (2.2 s per virtual day instead of 1.9 s).
 * - `--max-lazy`: eager-compilation hints are ignored, so only what runs is compiled (with the above, start-up → 24 h
 *   growth 1.6 → 0.8 MB). `--lite-mode` looked slightly better still but changes feedback allocation, which V8 does
 *   not promise to honour when set after start-up: left out.
 * All of these are read when V8 uses them, so setting them at run time works (--max-semi-space-size would not): no
 * re-exec, NODE_OPTIONS or unit-file flags. Tried and left out: glibc's MALLOC_ARENA_MAX / MALLOC_TRIM_THRESHOLD_
 * (environment only) bought nothing measurable on top of these; --compact-on-every-full-gc saved ~1.5 MB but
 * copies the whole heap at each full GC, a ~12 MB spike every time. Other commands and the desk keep V8's defaults.
 * GUARDPOST_V8_DEFAULTS=1 keeps V8's defaults for the agent too (to compare, or for a site with CPU-heavy checks).
 */
export const SERVICE_V8_FLAGS = ['--no-opt', '--semi-space-growth-factor=1', '--no-sparkplug', '--optimize-for-size', '--bytecode-old-age=2', '--max-lazy'] as const;

export function tuneForService(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  if (env.GUARDPOST_V8_DEFAULTS === '1') return [];
  for (const flag of SERVICE_V8_FLAGS) setFlagsFromString(flag);
  return SERVICE_V8_FLAGS;
}
