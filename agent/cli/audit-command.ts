import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AUDIT_FILE, auditDirOf } from '../assist/audit/audit-log.js';
import { verifyAudit } from '../assist/audit/verify.js';
import { contextFor, resolveConfig } from './context.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const AUDIT_HELP = `用法 / usage: guardpost audit verify [--json] [--config FILE | FILE]
  Checks the remote-assistance audit log's hash chain (storage.dir/audit/${AUDIT_FILE} of the config, or FILE) and
  reports the first edited, inserted, removed or truncated record with its line. Exit 0 intact, 1 tampered, 78 bad config.
`;

export async function auditCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') return io.out(AUDIT_HELP), sub ? EXIT.ok : EXIT.usage;
  if (sub !== 'verify') throw new UsageError(`unknown audit command "${sub}"`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return io.out(AUDIT_HELP), EXIT.ok;
  if (positionals.length > 1 || (positionals.length && values.config)) throw new UsageError('give either --config FILE or one audit FILE');
  // The log's place needs only storage.dir: no secret is read.
  const choice = { ...(values.config ? { config: values.config } : {}), readSecrets: false };
  const file = positionals[0] ?? join(auditDirOf(resolveConfig(await contextFor(choice, io.env), choice).storage.dir), AUDIT_FILE);
  if (!existsSync(file)) {
    if (positionals[0]) throw new UsageError(`no such file: ${file}`);
    io.out(`审计日志为空 / no audit log yet (${file})`);
    return EXIT.ok;
  }
  const verdict = await verifyAudit(file);
  if (values.json) io.out(JSON.stringify({ file, ...verdict }, null, 2));
  else if (verdict.intact) io.out(`审计日志完整 / audit log intact: ${verdict.records} records, last seq ${verdict.lastSeq} (${file})`);
  else io.out(`审计日志被篡改 / audit log tampered (${verdict.problem!.kind}) at line ${verdict.problem!.line}: ${verdict.problem!.message} (${file}; ${verdict.records} records verified before it)`);
  return verdict.intact ? EXIT.ok : EXIT.minor;
}
