// The layer rules: no cycles, no upward imports. Layers, bottom up: agent/core (contracts, engine,
// store, scheduler) and agent/net (network library on core) → agent/checks (one plugin per folder) → agent/tunnel
// → agent/web, agent/cli; firmware-bridge and desk are separate programs that share only contracts.
//
// Rules bind shipped code. Test code (TEST_CODE, which the build leaves out) may reach across layers to build a
// scenario, so only the rules marked `bindsTestCode` bind it; no file is exempt from the file-cycle check. Type-only and lazy imports count like any other: a type or a module loaded
// on demand is still a dependency on the module that defines it.
import type { ImportRule } from './forbidden-imports.js';

/** Folders whose sub-folders are the modules cycles are checked between (deepest first); see modules.ts. */
// agent/assist's parts (policy, session, audit, the kinds) are modules of their own: the config schema (core) reads the
// policy's schema while the session layer sits on the page's consent broker.
export const MODULE_PARENTS = ['agent/core', 'agent/checks', 'agent/assist', 'agent', 'desk', 'firmware-bridge', 'provisioning'] as const;

/** Unit tests and their helpers; tsconfig.build.json excludes each of these (dependencies.test.ts checks it). */
export const TEST_CODE = ['**/*.test.ts', '**/test-support/**', '**/test-fixtures/**', 'agent/checks/shared/testing.ts'] as const;

const SHIPPED_ROOTS = '{agent,desk,firmware-bridge,provisioning}/**';

export const IMPORT_RULES: readonly ImportRule[] = [
  {
    from: 'agent/core/**',
    forbid: ['agent/checks/**', 'agent/tunnel/**', 'agent/web/**', 'agent/cli/**', 'agent/net/**'],
    reason: 'core is the bottom layer: the contracts, engine, store and scheduler know no particular check, transport, page or command',
  },
  {
    from: 'agent/net/**',
    forbid: ['agent/**', 'desk/**', 'firmware-bridge/**', 'provisioning/**'],
    allow: ['agent/net/**', 'agent/core/**'],
    reason: 'agent/net is the low-level network library checks and the tunnel build on, so it builds on core alone',
  },
  {
    from: 'agent/checks/<check>/**',
    forbid: ['agent/checks/**'],
    allow: ['agent/checks/<check>/**', 'agent/checks/shared/**'],
    reason: "a check is a plugin that can be removed or isolated alone: it uses agent/checks/shared or agent/core, never another check's folder",
  },
  {
    from: 'agent/checks/**',
    forbid: ['agent/tunnel/**', 'agent/web/**', 'agent/cli/**'],
    reason: 'checks only observe; delivery to the desk, the page and the commands sit above them',
  },
  {
    from: 'agent/tunnel/**',
    forbid: ['agent/checks/**', 'agent/web/**', 'agent/cli/**'],
    reason: 'the tunnel carries results and faults; their grading lives in agent/core, and the page and commands sit above it',
  },
  {
    from: 'firmware-bridge/**',
    forbid: ['agent/**', 'desk/**'],
    allow: ['agent/core/text.ts'],
    reason: 'the bridge is the device side and runs without the agent: it shares only the bilingual Text type',
  },
  {
    from: 'desk/**',
    forbid: ['agent/cli/**', 'agent/web/**', 'agent/checks/**', 'agent/core/runtime/**'],
    reason: "the desk is another program: it shares the protocol and core's type-level contracts, never the agent's commands, page, checks or runtime",
  },
  {
    from: SHIPPED_ROOTS,
    forbid: ['tests/**', 'bench/**'],
    bindsTestCode: true,
    reason: 'end-to-end tests and benchmarks sit on top of everything; no module, nor its unit test, depends on them',
  },
  {
    from: SHIPPED_ROOTS,
    forbid: TEST_CODE,
    reason: 'the build leaves test code out, so shipped code that imports it breaks in dist/',
  },
];
