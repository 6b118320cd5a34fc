import { describe, expect, it } from 'vitest';
import { checkDependencies, describeViolations } from './dependency-check.js';
import { IMPORT_RULES, MODULE_PARENTS, TEST_CODE } from './import-rules.js';

// The checker, with the real rules, on in-memory file sets: dependencies.test.ts cannot pass because the checker
// sees nothing.
const check = (files: Record<string, string>) =>
  checkDependencies(new Map(Object.entries(files)), { rules: IMPORT_RULES, testCode: TEST_CODE, moduleParents: MODULE_PARENTS });
const forbiddenPairs = (files: Record<string, string>) => check(files).forbidden.map(({ edge }) => `${edge.from} → ${edge.to}`);

describe('the dependency checker', () => {
  it('reports a file cycle with its path, type-only imports included', () => {
    const report = check({
      'agent/core/checks/plugin.ts': "import type { SiteConfig } from '../config/schema.js';",
      'agent/core/config/schema.ts': "import { helper } from './helper.js';",
      'agent/core/config/helper.ts': "import type { CheckPlugin } from '../checks/plugin.js';",
    });
    expect(report.fileCycles).toEqual([
      {
        path: ['agent/core/checks/plugin.ts', 'agent/core/config/schema.ts', 'agent/core/config/helper.ts', 'agent/core/checks/plugin.ts'],
        members: ['agent/core/checks/plugin.ts', 'agent/core/config/helper.ts', 'agent/core/config/schema.ts'],
      },
    ]);
    expect(describeViolations(report)[0]).toBe(
      'file cycle: agent/core/checks/plugin.ts → agent/core/config/schema.ts → agent/core/config/helper.ts → agent/core/checks/plugin.ts',
    );
  });

  it('reports a cycle between modules whose files form none, naming the imports on each hop', () => {
    const report = check({
      'agent/core/scheduler/scheduler.ts': "import { Host } from '../isolation/host.js';",
      'agent/core/scheduler/executor.ts': 'export interface Executor {}',
      'agent/core/isolation/host.ts': "import type { Executor } from '../scheduler/executor.js';",
    });
    expect(report.fileCycles).toEqual([]);
    expect(report.moduleCycles.map((c) => c.path)).toEqual([['agent/core/isolation', 'agent/core/scheduler', 'agent/core/isolation']]);
    expect(describeViolations(report)[0]).toContain('agent/core/isolation/host.ts:1 imports agent/core/scheduler/executor.ts');
    expect(describeViolations(report)[0]).toContain('agent/core/scheduler/scheduler.ts:1 imports agent/core/isolation/host.ts');
  });

  it('does not count a unit test reaching into a neighbour as its module depending on it', () => {
    const report = check({
      'agent/core/scheduler/scheduler.ts': "import { Host } from '../isolation/host.js';",
      'agent/core/isolation/host.ts': 'export class Host {}',
      'agent/core/isolation/host.test.ts': "import { Scheduler } from '../scheduler/scheduler.js';",
    });
    expect(report.moduleCycles).toEqual([]);
  });

  it('reports upward imports, static, type-only and lazy, with the rule that forbids them', () => {
    const report = check({
      'agent/core/runtime/agent.ts': "import { page } from '../../web/page.js';\nexport type { Row } from '../../cli/table.js';",
      'agent/core/scheduler/lazy.ts': "const net = await import('../../net/socket.js');",
      'agent/tunnel/sources.ts': "import { CLOCK_FAULTS } from '../checks/clock/faults.js';",
      'desk/client/render.ts': "import { renderTable } from '../../agent/cli/table.js';",
      'firmware-bridge/profiles/types.ts': "import type { Text } from '../../agent/core/text.js';\nimport type { Severity } from '../../agent/core/severity.js';",
      'agent/checks/disk/probe.ts': "import { stub } from '../../../tests/support/stub.js';",
    });
    expect(report.forbidden.map(({ edge }) => `${edge.from}:${edge.line} → ${edge.to}`)).toEqual([
      'agent/core/runtime/agent.ts:1 → agent/web/page.ts',
      'agent/core/runtime/agent.ts:2 → agent/cli/table.ts',
      'agent/core/scheduler/lazy.ts:1 → agent/net/socket.ts',
      'agent/tunnel/sources.ts:1 → agent/checks/clock/faults.ts',
      'desk/client/render.ts:1 → agent/cli/table.ts',
      'firmware-bridge/profiles/types.ts:2 → agent/core/severity.ts',
      'agent/checks/disk/probe.ts:1 → tests/support/stub.ts',
    ]);
    const line = describeViolations(report).find((l) => l.startsWith('desk/client/render.ts'));
    expect(line).toContain('never the agent');
  });

  it("lets a check import its own folder and agent/checks/shared, never another check's; the registry imports them all", () => {
    expect(
      forbiddenPairs({
        'agent/checks/settlement/probe.ts': "import { a } from './probes/index.js';\nimport { b } from '../shared/time.js';\nimport { c } from '../clock/faults.js';",
        'agent/checks/shared/time.ts': "import { d } from '../disk/schema.js';",
        'agent/checks/index.ts': "import { plugin as disk } from './disk/index.js';",
      }),
    ).toEqual(['agent/checks/settlement/probe.ts → agent/checks/clock/faults.ts', 'agent/checks/shared/time.ts → agent/checks/disk/schema.ts']);
  });

  it('holds agent/net to agent/core', () => {
    expect(
      forbiddenPairs({ 'agent/net/tls.ts': "import { a } from '../core/text.js';\nimport { b } from './socket.js';\nimport { c } from '../checks/settlement/net/trust.js';" }),
    ).toEqual(['agent/net/tls.ts → agent/checks/settlement/net/trust.ts']);
  });

  it('exempts test code from the layer rules, but not from keeping off tests/ and bench/, and shipped code off test code', () => {
    expect(
      forbiddenPairs({
        'agent/core/scheduler/scheduler.test.ts': "import { plugin } from '../../checks/disk/index.js';\nimport { run } from '../../../bench/run.js';",
        'agent/core/store/test-support/fill.ts': "import { page } from '../../../web/page.js';",
        'agent/core/store/state-store.ts': "import { fill } from './test-support/fill.js';",
      }),
    ).toEqual(['agent/core/scheduler/scheduler.test.ts → bench/run.ts', 'agent/core/store/state-store.ts → agent/core/store/test-support/fill.ts']);
  });

  it('ignores package imports and specifiers in comments and strings', () => {
    const report = check({
      'agent/core/x.ts': "import { z } from 'zod';\n// import { a } from '../web/a.js';\nconst s = \"import { b } from '../cli/b.js'\";\nimport fs from 'node:fs';",
    });
    expect(report.forbidden).toEqual([]);
  });
});
