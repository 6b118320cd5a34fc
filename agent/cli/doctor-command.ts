import { parseArgs } from 'node:util';
import { loadConfigFile } from '../core/config/load.js';
import { resolveLang } from '../core/text.js';
import { doctorExitCode, runDoctor } from '../doctor/run-doctor.js';
import type { Finding } from '../doctor/types.js';
import { configPath, contextFor, loadOptions } from './context.js';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';

export const DOCTOR_HELP = `用法 / usage: guardpost doctor [--config FILE] [--json] [--no-service] [--lang zh|en]

Checks this installation and says how to fix each problem: the config; owners and modes of the config, the key and
the state and log directories; every configured reader and PKCS#11 module (read only, no login); the desk (its
certificate and the agent's, reachability, revocation); the clock against the desk; the service.
Exit status: 0 all well, 1 warnings only, 2 something to fix.
`;

const MARK: Record<Finding['status'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

export async function doctorCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false }, 'no-service': { type: 'boolean', default: false }, lang: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return io.out(DOCTOR_HELP), EXIT.ok;
  const choice = values.config ? { config: values.config } : {};
  const ctx = await contextFor(choice, io.env);
  const file = configPath(choice, io.env, ctx.platform);
  const findings = await runDoctor({ configFile: file, load: () => loadConfigFile(file, loadOptions(ctx)), env: io.env, service: !values['no-service'] });
  if (values.json) io.out(JSON.stringify({ findings, exitCode: doctorExitCode(findings) }, null, 2));
  else {
    const lang = resolveLang(values.lang, io.env);
    for (const f of findings) {
      io.out(`${MARK[f.status]} [${f.area}] ${f.subject}: ${f.message[lang]}`);
      if (f.fix) io.out(`    → ${f.fix[lang]}`);
    }
    const bad = findings.filter((f) => f.status === 'fail').length;
    const warn = findings.filter((f) => f.status === 'warn').length;
    io.out(lang === 'zh' ? (bad || warn ? `${bad} 个问题，${warn} 个提醒` : '一切正常') : bad || warn ? `${bad} problem(s), ${warn} warning(s)` : 'all well');
  }
  return doctorExitCode(findings);
}
