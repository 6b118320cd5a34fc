import type { FrameworkFaults } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultDefinition, FaultSignal } from '../../core/faults/types.js';
import type { Severity } from '../../core/severity.js';
import { certificateSignal } from './certificates.js';
import type { TokenConfig } from './schema.js';
import { TOKEN_FAULT_TEXTS } from './fault-texts.js';

export const reasons = {
  module_missing: { zh: 'PKCS#11 驱动模块不存在或无法加载', en: 'the PKCS#11 module is missing or cannot be loaded' },
  module_error: { zh: 'PKCS#11 驱动模块返回错误', en: 'the PKCS#11 module returned an error' },
  token_not_present: { zh: '未检测到令牌（USBKey）', en: 'the token (USB key) is not present' },
  token_not_initialized: { zh: '令牌未初始化', en: 'the token is not initialised' },
  pin_count_low: { zh: 'PIN 曾输错，剩余次数减少', en: 'a wrong PIN was entered; fewer tries left' },
  pin_final_try: { zh: 'PIN 仅剩最后一次机会', en: 'one more wrong PIN locks the token' },
  pin_locked: { zh: 'PIN 已锁死', en: 'the user PIN is locked' },
  pin_to_be_changed: { zh: 'PIN 需要修改', en: 'the PIN must be changed' },
  sign_test_skipped: { zh: '签名测试未执行（PIN 状态不安全或算法不支持）', en: 'the sign test did not run (unsafe PIN state or unsupported algorithm)' },
  login_failed: { zh: '签名测试登录失败，当天不再重试', en: 'the sign test could not log in; no retry the same day' },
  sign_test_failed: { zh: '签名测试失败', en: 'the sign test failed' },
} as const;

export type TokenReason = keyof typeof reasons;

/** Severity of each reason of the check's own (certificate results are graded by the certificate engine). */
const GRADES: Record<TokenReason, FaultSignal> = {
  module_missing: { code: 'TOKEN_MODULE_MISSING', severity: 'critical' },
  module_error: { code: 'TOKEN_MODULE_ERROR', severity: 'major' },
  token_not_present: { code: 'TOKEN_NOT_PRESENT', severity: 'critical' },
  token_not_initialized: { code: 'TOKEN_NOT_INITIALIZED', severity: 'major' },
  pin_count_low: { code: 'TOKEN_PIN_COUNT_LOW', severity: 'minor' },
  pin_final_try: { code: 'TOKEN_PIN_FINAL_TRY', severity: 'major' },
  pin_locked: { code: 'TOKEN_PIN_LOCKED', severity: 'critical' },
  pin_to_be_changed: { code: 'TOKEN_PIN_TO_BE_CHANGED', severity: 'minor' },
  sign_test_skipped: { code: 'TOKEN_SIGN_TEST_SKIPPED', severity: 'major' },
  login_failed: { code: 'TOKEN_LOGIN_FAILED', severity: 'major' },
  sign_test_failed: { code: 'TOKEN_SIGN_TEST_FAILED', severity: 'critical' },
};

/** A hung or crashed vendor module is the token check's own fault, not the generic CHECK_TIMEOUT / CHECK_CRASHED. */
export const frameworkFaults: FrameworkFaults = {
  timeout: { code: 'TOKEN_MODULE_HUNG', severity: 'major' },
  crashed: { code: 'TOKEN_MODULE_CRASHED', severity: 'major' },
};

const DEFAULT_SEVERITY: Record<string, Severity> = {
  ...Object.fromEntries(Object.values(GRADES).map((g) => [g.code, g.severity])),
  ...Object.fromEntries(Object.values(frameworkFaults).map((g) => [g!.code, g!.severity])),
};

export const faults: FaultDefinition[] = TOKEN_FAULT_TEXTS.map((t) => ({ ...t, severity: DEFAULT_SEVERITY[t.code]! }));

/** Token reasons by the table above; certificate results (from the certificate engine) by the engine's rules. */
export function rules(result: ProbeResult, config: TokenConfig): FaultSignal | null {
  const own = GRADES[result.reason as TokenReason];
  if (own) return own;
  return certificateSignal(result, config);
}
