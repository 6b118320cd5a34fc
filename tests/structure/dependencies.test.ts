import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDependencies, describeViolations, type DependencyReport } from './dependency-check.js';
import { buildImportGraph } from './import-graph.js';
import { IMPORT_RULES, MODULE_PARENTS, TEST_CODE } from './import-rules.js';
import { readRepositorySources, REPOSITORY_ROOT } from './repository-sources.js';

// Issue 11, "No cycles, no upward imports", over the real working tree. The rules are in import-rules.ts;
// dependency-check.test.ts proves the checker catches what these tests say is absent.
const sources = readRepositorySources();
const report = checkDependencies(sources, { rules: IMPORT_RULES, testCode: TEST_CODE, moduleParents: MODULE_PARENTS });

const only = (part: keyof DependencyReport): string[] =>
  describeViolations({ fileCycles: [], moduleCycles: [], forbidden: [], [part]: report[part] });

describe('the dependency structure', () => {
  it('reads the real sources and resolves their imports', () => {
    // Guards the guard: an empty scan or broken resolution would make every rule below pass vacuously.
    const graph = buildImportGraph(sources);
    expect(graph.files.length).toBeGreaterThan(200);
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: 'agent/core/runtime/agent.ts', to: 'agent/core/scheduler/scheduler.ts' }));
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: 'desk/server/agent-session.ts', to: 'agent/tunnel/protocol/codec.ts' }));
  });

  it('treats as test code only what the build leaves out', () => {
    // Otherwise "shipped code must not import test code" would guard the wrong files.
    const buildConfig = readFileSync(join(REPOSITORY_ROOT, 'tsconfig.build.json'), 'utf8');
    expect(TEST_CODE.filter((glob) => !buildConfig.includes(JSON.stringify(glob)))).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const lines = only('fileCycles');
    expect(lines, lines.join('\n\n')).toEqual([]);
  });

  it('has no import cycle between modules', () => {
    const lines = only('moduleCycles');
    expect(lines, lines.join('\n\n')).toEqual([]);
  });

  it('has no upward or forbidden import', () => {
    const lines = only('forbidden');
    expect(lines, lines.join('\n\n')).toEqual([]);
  });
});
