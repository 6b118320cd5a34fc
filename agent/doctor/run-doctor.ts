import { ConfigError, formatProblem } from '../core/config/problems.js';
import type { GuardpostConfig } from '../core/config/types.js';
import { deskFindings } from './desk-findings.js';
import { deviceFindings } from './device-findings.js';
import { fileFindings } from './file-findings.js';
import { serviceFindings } from './service-findings.js';
import { finding, type Finding } from './types.js';

export interface DoctorOptions {
  configFile: string;
  /** Loads and validates the config as the service would; throws ConfigError. */
  load: () => GuardpostConfig;
  env: NodeJS.ProcessEnv;
  /** Skip the service manager (a machine where the agent runs by hand). */
  service?: boolean;
  now?: Date;
}

/** Everything the doctor looks at, in the order a field engineer would fix it: config, files, devices, desk, service. */
export async function runDoctor(o: DoctorOptions): Promise<Finding[]> {
  let cfg: GuardpostConfig;
  try {
    cfg = o.load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return [
      finding('config', o.configFile, 'fail', { zh: `配置有误：\n${err.problems.map(formatProblem).join('\n')}`, en: `the config has problems:\n${err.problems.map(formatProblem).join('\n')}` }, {
        zh: `修正后用 guardpost config validate ${o.configFile} 核对；或 guardpost init 重新生成`,
        en: `fix them and check with guardpost config validate ${o.configFile}; or write a new one with guardpost init`,
      }),
    ];
  }
  const out: Finding[] = [finding('config', o.configFile, 'ok', { zh: `配置有效：${cfg.checks.filter((c) => c.enabled).length} 项检查`, en: `config valid: ${cfg.checks.filter((c) => c.enabled).length} checks` })];
  out.push(...fileFindings(cfg, o.configFile));
  out.push(...(await deviceFindings(cfg)));
  out.push(...(await deskFindings(cfg.desk, o.env, o.now)));
  if (o.service !== false) out.push(...(await serviceFindings()));
  return out;
}

/** 0: all well; 1: only warnings; 2: something to fix. */
export function doctorExitCode(findings: readonly Finding[]): number {
  if (findings.some((f) => f.status === 'fail')) return 2;
  return findings.some((f) => f.status === 'warn') ? 1 : 0;
}
