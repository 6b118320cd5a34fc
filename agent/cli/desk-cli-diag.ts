import { writeFileSync } from 'node:fs';
import { argsFromPairs, runDiagAction } from '../../desk/client/diag-client.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './io.js';
import { acquireSession, endOurs, type SessionAsk } from './desk-cli-session.js';
import type { AssistCliContext } from './desk-cli-streams.js';

export interface DiagOptions {
  session?: string | undefined;
  reason?: string | undefined;
  ticket?: string | undefined;
  minutes?: string | undefined;
  args?: string | undefined;
  out?: string | undefined;
}

/**
 * `desk-cli diag AGENT ACTION [--args JSON | key=value ...] [--out FILE]`: one diagnostic action on the agent. The
 * agent holds the allowlist and the schemas, so an unknown action or bad arguments come back as its refusal, shown
 * as it said. A binary answer (the support bundle) is never written to a terminal: that needs --out.
 */
export async function diagCommand(ctx: AssistCliContext, words: string[], o: DiagOptions): Promise<number> {
  const [agent, action, ...pairs] = words;
  if (!agent || !action) throw new UsageError('diag AGENT ACTION [--args JSON | key=value ...] [--out FILE] [--session ID | --reason TEXT]; actions: run-checks, status, tail-log, bundle, test-endpoint, rescan-devices, report');
  const args = parseArgsOption(o.args, pairs);
  // Known to be binary before anyone is asked: refuse now rather than after the operator approved.
  if (action === 'bundle' && !o.out && ctx.streams.stdout.isTTY) throw new UsageError('the support bundle is a tar.gz: pass --out FILE (or redirect stdout to a file)');
  const ask: SessionAsk = { agent, kinds: ['diag'], session: o.session, reason: o.reason, ticket: o.ticket, minutes: o.minutes };
  const got = await acquireSession(ctx, ask);
  if ('exit' in got) return got.exit;
  try {
    const attached = await ctx.client.attach(got.row.id);
    let result;
    try {
      result = await runDiagAction(attached.mux, action, args);
    } finally {
      attached.close();
    }
    if (!result.ok) {
      ctx.io.err(`代理拒绝或失败 / the agent refused or failed ${action}: ${result.error}`);
      return EXIT.minor;
    }
    const { header, body } = result;
    if (o.out) {
      writeFileSync(o.out, body, { mode: 0o600 }); // a bundle holds the terminal's logs and config: the engineer's alone
      ctx.io.err(`已保存 / saved ${body.length} bytes (${header.contentType}${header.fileName ? `, ${header.fileName}` : ''}) to ${o.out}`);
      return EXIT.ok;
    }
    if (header.contentType === 'application/gzip' && ctx.streams.stdout.isTTY) {
      ctx.io.err(`${action} 的结果是二进制文件 / the answer is binary (${header.fileName ?? header.contentType}, ${body.length} bytes): pass --out FILE`);
      return EXIT.usage;
    }
    await new Promise<void>((resolve, reject) => ctx.streams.stdout.write(body, (err) => (err ? reject(err) : resolve())));
    return EXIT.ok;
  } finally {
    await endOurs(ctx, got);
  }
}

/** --args JSON, or key=value words; not both. */
function parseArgsOption(json: string | undefined, pairs: string[]): Record<string, unknown> {
  if (json !== undefined && pairs.length) throw new UsageError('give the arguments as --args JSON or as key=value words, not both');
  if (json !== undefined) {
    let v: unknown;
    try {
      v = JSON.parse(json);
    } catch (err) {
      throw new UsageError(`--args: not JSON (${(err as Error).message})`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UsageError('--args: must be a JSON object, e.g. {"log":"agent","lines":50}');
    return v as Record<string, unknown>;
  }
  const a = argsFromPairs(pairs);
  if (typeof a === 'string') throw new UsageError(`diag arguments: ${a}`);
  return a;
}
