import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel } from '../../../tunnel/channels/channel.js';
import type { OpenHandler } from '../../../tunnel/channels/mux.js';
import { ConsentBroker } from '../../../web/consent-broker.js';
import { AuditLog } from '../../audit/audit-log.js';
import { verifyAudit } from '../../audit/verify.js';
import { createAssistOpenHandler } from '../../channel-handler.js';
import type { AssistPolicy } from '../../policy/schema.js';
import { AssistSessions, type AssistRequest } from '../../session/assist-sessions.js';
import { auditSinkOf } from '../../session/audit-sink.js';
import type { AssistKindPlugin, KindLogger } from '../types.js';

export const basePolicy = (over: Partial<AssistPolicy> = {}): AssistPolicy => ({
  enabled: true,
  kinds: { diag: true, forward: true, shell: true },
  forwardTargets: ['127.0.0.1:5900'],
  maxDurationMinutes: 60,
  idleTimeoutMinutes: 15,
  maxConcurrentSessions: 2,
  bandwidthBytesPerSecond: 1_048_576,
  consentTimeoutSeconds: 120,
  maintenanceWindows: [],
  shell: {},
  ...over,
});

/** A logger that keeps what it is told, for tests to read. */
export function memoryLogger(): KindLogger & { lines: { level: string; fields: object; msg: string }[] } {
  const lines: { level: string; fields: object; msg: string }[] = [];
  const at = (level: string) => (fields: object, msg: string) => void lines.push({ level, fields, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** The real session layer around the kinds: audit log in a temp dir, consent broker, sessions, the open handler. */
export async function assistRig(policy: AssistPolicy, kinds: (dir: string) => AssistKindPlugin[]) {
  const dir = mkdtempSync(join(tmpdir(), 'gp-kinds-'));
  const audit = await AuditLog.open(join(dir, 'audit'));
  const consent = new ConsentBroker({ maxLive: policy.maxConcurrentSessions });
  const sessions = new AssistSessions({ policy, consent, audit: auditSinkOf(audit), consentPaths: () => ({ page: true, cli: true }) });
  const logger = memoryLogger();
  const handler: OpenHandler = createAssistOpenHandler({ sessions, policy, kinds: kinds(dir), audit, logger });
  return {
    dir,
    audit,
    consent,
    sessions,
    logger,
    handler,
    /** A request the operator approves at once; returns the running session's id. */
    approved(req: Partial<AssistRequest> = {}): string {
      const s = sessions.request({ engineer: '张工', reason: '读卡器无响应', kinds: ['diag'], durationMinutes: 30, ...req });
      if (s.state !== 'pending') throw new Error(`request ${s.state}: ${s.refusal?.detail}`);
      consent.approve(s.id, 'local-cli');
      return s.id;
    },
    /** The audit records so far, after checking the chain is intact. */
    async records(): Promise<Record<string, unknown>[]> {
      const verdict = await verifyAudit(audit.file);
      if (!verdict.intact) throw new Error(`audit log broken: ${verdict.problem?.message}`);
      const { readFile } = await import('node:fs/promises');
      return (await readFile(audit.file, 'utf8')).trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    async close(): Promise<void> {
      sessions.close();
      consent.close();
      await audit.close();
    },
  };
}

/** Everything a channel delivers until it closes, and why it closed. */
export function collect(ch: Channel): { chunks: Buffer[]; bytes: () => Buffer; closed: Promise<string> } {
  const chunks: Buffer[] = [];
  ch.setReader((b) => void chunks.push(b));
  // The channel may have closed already: an open answered and closed by the peer in one burst of frames.
  const closed = new Promise<string>((resolve) => (ch.closed ? resolve(ch.closed) : ch.once('close', resolve)));
  return { chunks, bytes: () => Buffer.concat(chunks), closed };
}

/** Polls until `fn` gives a value (a condition, not a time, decides). */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
