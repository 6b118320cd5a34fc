import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What runs: the agent, Node and its bundled libraries, the OS, and each npm dependency as installed. */
export function versionsReport(agentVersion: string): Record<string, unknown> {
  return {
    agent: agentVersion,
    node: process.version,
    runtime: { ...process.versions },
    os: { platform: process.platform, arch: process.arch, type: os.type(), release: os.release(), version: os.version() },
    modules: dependencyVersions(),
  };
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** package.json's dependencies, each with the version found in node_modules (from sources and from dist/ alike). */
function dependencyVersions(): Record<string, string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++, dir = dirname(dir)) {
    const pkg = readJson(join(dir, 'package.json'));
    if (pkg?.name !== 'guardpost') continue;
    const deps = Object.keys((pkg.dependencies ?? {}) as object).sort();
    return Object.fromEntries(deps.map((d) => [d, String(readJson(join(dir, 'node_modules', d, 'package.json'))?.version ?? 'not installed')]));
  }
  return {};
}
