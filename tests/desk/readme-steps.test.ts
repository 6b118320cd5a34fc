import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Desk } from '../../desk/desk.js';
import { cli } from './support/cli.js';
import { freePort, root, tmp } from './support/harness.js';

/**
 * Issue 12: desk/README.md's commands, run as written, failed at `desk-cli faults --dir …` (no token). They are run
 * here in their order on a fresh directory, through the real CLI; `guardpost desk --dir` (which runs until stopped)
 * is the same desk started in this process.
 */

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

/** The `guardpost …` lines of the README's Commands block, as argument lists (comments dropped, quotes honoured). */
function readmeCommands(): string[][] {
  const text = readFileSync(join(root, 'desk/README.md'), 'utf8');
  const block = /## Commands\s+```sh\n([\s\S]*?)```/.exec(text)?.[1];
  if (!block) throw new Error('desk/README.md: no ```sh block under "## Commands"');
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('guardpost '))
    .map((l) => [...l.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1));
}

describe('desk/README.md', () => {
  it('its commands work as written, in order, on a new desk', async () => {
    const dir = join(tmp('gp-readme-'), 'desk');
    const commands = readmeCommands().map((args) => args.map((a) => a.replace('/srv/desk', dir)));
    expect(commands.length).toBeGreaterThan(5);
    const exampleId = '3f2a9c1e'; // the README's example occurrence id: no such fault on a new desk
    for (const args of commands) {
      if (args[0] === 'desk' && args[1] === '--dir') {
        const desk = await Desk.start({ dir });
        cleanup.push(() => desk.stop());
        continue;
      }
      const r = await cli(args);
      if (args.includes(exampleId)) {
        expect(r.err, args.join(' ')).toContain(`no fault ${exampleId}`);
        continue;
      }
      expect({ args: args.join(' '), code: r.code, err: r.err }).toEqual({ args: args.join(' '), code: 0, err: '' });
      if (args[0] === 'desk' && args[1] === 'init') {
        // The documented ports may be taken on a test machine; everything else stays as init wrote it.
        const file = join(dir, 'desk.json');
        const doc = JSON.parse(readFileSync(file, 'utf8'));
        doc.agents.port = await freePort();
        doc.api.port = await freePort();
        doc.log.stdout = false;
        writeFileSync(file, JSON.stringify(doc, null, 2));
      }
    }
  });
});
