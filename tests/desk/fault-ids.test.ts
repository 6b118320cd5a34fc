import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Desk } from '../../desk/desk.js';
import { SCHEMA_VERSION } from '../../desk/store/sqlite-schema.js';
import type { FaultRow } from '../../desk/store/types.js';
import { cli } from './support/cli.js';
import { eventOf, faultBody, helloFrame, snapshotFrame } from './support/frames.js';
import { agentDeskConfig, initTestDesk, startAgent, startDesk, waitFor, type TestDesk } from './support/harness.js';
import { rawAgent } from './support/raw-agent.js';
import { SCHEMA_V1 } from './support/schema-v1.js';

/**
 * Issue 12: occurrence ids are chosen by agents but were unique across the whole desk, so another agent's use of an
 * id was dropped without a word. Occurrences are keyed by (agent, id) now.
 */

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

/** A second agent (its own certificate) that reports an occurrence under the id it is given, then resolves it. */
async function reuseId(d: TestDesk, agentId: string, faultId: string): Promise<void> {
  const raw = await rawAgent(await agentDeskConfig(d, agentId));
  cleanup.push(async () => raw.ws.terminate());
  raw.send(helloFrame(agentId));
  await raw.next('hello');
  raw.send(snapshotFrame());
  const fault = faultBody(faultId, { subject: 'scanner', severity: 'minor', code: 'SCANNER_GONE' });
  raw.send({ type: 'events', events: [eventOf(1, fault), eventOf(2, { ...fault, state: 'resolved', resolvedAt: new Date().toISOString() }, 'resolved')] });
  await raw.next('ack');
  raw.ws.close();
  await raw.closed;
}

describe('occurrence ids are the agents\' own', () => {
  it('another agent using the same id has its own occurrence; neither changes the other; AGENT:ID names one', async () => {
    const d = await initTestDesk();
    const desk: Desk = await startDesk(d);
    cleanup.push(() => desk.stop());
    const A = 'P44010600123-POS-30';
    const B = 'P44010600123-POS-31';
    const a = await startAgent({ desk: await agentDeskConfig(d, A), id: A });
    cleanup.push(() => a.stop());
    await a.setFailing(['reader'], 'critical');
    const { id } = await waitFor('delivered', () => desk.store.listFaults({ agent: A }).find((f) => f.subject === 'reader'));

    await reuseId(d, B, id);

    const rows = desk.store.listFaults({}).filter((f) => f.id === id);
    expect(rows.map((f) => `${f.agentId}:${f.subject}:${f.severity}:${f.state}`).sort()).toEqual([`${A}:reader:critical:open`, `${B}:scanner:minor:resolved`]);

    // The engineer: the bare id is ambiguous and says how to name one; AGENT:ID works, down to the right agent.
    expect((await cli(['desk-cli', 'token', 'create', 'engineer-li', '--dir', d.dir, '--save'])).code).toBe(0);
    const ambiguous = await cli(['desk-cli', 'ack', id, '--dir', d.dir]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain(`fault id ${id} is used by 2 agents (${A}, ${B}); name one as AGENT:ID, e.g. ${A}:${id} (HTTP 400)`);
    const acked = await cli(['desk-cli', 'ack', `${A}:${id}`, '--note', '已派工程师', '--dir', d.dir]);
    expect(acked.code).toBe(0);
    await waitFor('acknowledged on agent A', () => a.agent.engine.active().find((f) => f.id === id)?.state === 'acknowledged');
    const timeline = JSON.parse((await cli(['desk-cli', 'timeline', `${B}:${id}`, '--dir', d.dir, '--json'])).out) as { fault: FaultRow; entries: { what: string; kind: string }[] };
    expect(timeline.fault.agentId).toBe(B);
    expect(timeline.entries.map((e) => `${e.what}:${e.kind}`)).toEqual(['event:opened', 'event:resolved']);
    expect(desk.store.getFault({ agentId: B, id })?.acknowledgedAt, "A's acknowledgement is not B's").toBeNull();

    // Agent A's own news still reaches only its occurrence.
    await a.setFailing([]);
    await waitFor('A resolved', () => desk.store.getFault({ agentId: A, id })?.state === 'resolved');
    expect(desk.store.getFault({ agentId: B, id })?.subject).toBe('scanner');
  });

  it('a version 1 database is migrated when the desk starts: its rows kept, then keyed by (agent, id)', async () => {
    const d = await initTestDesk();
    const A = 'P44010600123-POS-32';
    const B = 'P44010600123-POS-33';
    const at = '2026-07-01T00:00:00.000Z';
    const old = new Database(join(d.dir, 'desk.db'));
    old.exec(SCHEMA_V1);
    old.prepare(`INSERT INTO meta (key, value) VALUES ('schema', '1')`).run();
    old.prepare(`INSERT INTO agents (id, site_code, first_seen, last_seq) VALUES (?, 'P44010600123', ?, 1)`).run(A, at);
    const fault = faultBody('occ-old', { firstSeen: at, lastSeen: at });
    const body = JSON.stringify(fault);
    old
      .prepare(
        `INSERT INTO faults (id, agent_id, fault_key, code, severity, max_severity, state, subject, check_id, title_zh, title_en, body, body_seq, detected_at, received_at, receipt_seconds, updated_at)
         VALUES ('occ-old', ?, 'key-occ-old', 'TEST_FAULT', 'major', 'major', 'open', 's-occ-old', 'probe', '测试', 'test', ?, 1, ?, ?, 0, ?)`,
      )
      .run(A, body, at, at, at);
    old.prepare(`INSERT INTO events (agent_id, seq, kind, at, detected_at, received_at, fault_id, fault_key, code, severity, body) VALUES (?, 1, 'opened', ?, ?, ?, 'occ-old', 'key-occ-old', 'TEST_FAULT', 'major', ?)`).run(A, at, at, at, JSON.stringify({ ...eventOf(1, fault), at, detectedAt: at }));
    old.close();

    const desk: Desk = await startDesk(d);
    cleanup.push(() => desk.stop());
    expect(desk.store.getFault({ agentId: A, id: 'occ-old' })).toMatchObject({ state: 'open', subject: 's-occ-old', siteCode: 'P44010600123' });
    expect(desk.store.timeline({ agentId: A, id: 'occ-old' })?.entries.map((e) => e.kind)).toEqual(['opened']);
    expect(desk.store.lastCommittedSeq(A)).toBe(1);
    await reuseId(d, B, 'occ-old');
    expect(desk.store.getFault({ agentId: B, id: 'occ-old' })?.subject).toBe('scanner');
    expect(desk.store.getFault({ agentId: A, id: 'occ-old' })?.subject).toBe('s-occ-old');
    await desk.stop();

    const check = new Database(join(d.dir, 'desk.db'), { readonly: true });
    expect(check.prepare(`SELECT value FROM meta WHERE key = 'schema'`).get()).toEqual({ value: String(SCHEMA_VERSION) });
    check.close();
  });
});
