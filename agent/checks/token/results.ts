import type { Evidence } from '../../core/checks/result.js';
import type { Text } from '../../core/text.js';
import type { ResultBody } from '../shared/result.js';
import { decodeFlags, flagEvidence, flagReason, type FlagReason } from './flags.js';
import type { Pkcs11CallError } from './module.js';
import type { ResolvedToken } from './settings.js';
import type { SignTestOutcome } from './sign-test.js';
import type { SeenToken, SlotScan } from './slots.js';

/** Subject of a token's sign-test result; the token's own result has the token's name as subject. */
export const signTestSubject = (name: string): string => `${name} sign test`;

const labels = (t: ResolvedToken) => ({ token: t.name, module: t.module });
const base = (t: ResolvedToken): Evidence => ({ module: t.module, label: t.label || null, serial: t.serial || null });

export function moduleMissing(t: ResolvedToken, message: string, tried: string[]): ResultBody {
  return {
    status: 'fail',
    reason: 'module_missing',
    subject: t.name,
    labels: labels(t),
    evidence: { ...base(t), error: message, tried: tried.join(', ') },
    message: { zh: `PKCS#11 驱动模块无法加载：${message}`, en: `the PKCS#11 module cannot be loaded: ${message}` },
  };
}

export function moduleError(t: ResolvedToken, err: Pkcs11CallError): ResultBody {
  return {
    status: 'fail',
    reason: 'module_error',
    subject: t.name,
    labels: labels(t),
    evidence: { ...base(t), call: err.call, ckr: err.ckr, code: err.code },
    message: { zh: `驱动模块调用 ${err.call} 出错：${err.ckr}`, en: `the module's ${err.call} returned ${err.ckr}` },
  };
}

export function notPresent(t: ResolvedToken, scan: SlotScan | null, seen = 0): ResultBody {
  const what = t.label || t.serial ? `（${[t.label && `标签 ${t.label}`, t.serial && `序列号 ${t.serial}`].filter(Boolean).join('，')}）` : '';
  const whatEn = t.label || t.serial ? ` (${[t.label && `label ${t.label}`, t.serial && `serial ${t.serial}`].filter(Boolean).join(', ')})` : '';
  const evidence: Evidence = { ...base(t), present: false, required: t.required, otherTokens: seen, vanishedSlots: scan?.vanished.length ?? 0 };
  if (!t.required) {
    return { status: 'ok', reason: 'ok', subject: t.name, labels: labels(t), evidence, message: { zh: `可选令牌未插入${what}`, en: `optional token not inserted${whatEn}` } };
  }
  return {
    status: 'fail',
    reason: 'token_not_present',
    subject: t.name,
    labels: labels(t),
    evidence,
    message: { zh: `未检测到 USBKey/令牌${what}`, en: `the USB key / token is not present${whatEn}` },
  };
}

const FLAG_TEXT: Record<FlagReason, Text> = {
  token_not_initialized: { zh: '令牌未初始化', en: 'the token is not initialised' },
  pin_locked: { zh: '用户 PIN 已锁死', en: 'the user PIN is locked' },
  pin_final_try: { zh: 'PIN 仅剩最后一次尝试机会', en: 'one more wrong PIN locks the token' },
  pin_count_low: { zh: 'PIN 曾输错，剩余尝试次数已减少', en: 'a wrong PIN was entered; fewer tries are left' },
  pin_to_be_changed: { zh: 'PIN 需要修改（初始或已过期）', en: 'the PIN must be changed (initial or expired)' },
};

/** The token's own result: present, and what its flags say. */
export function tokenResult(t: ResolvedToken, seen: SeenToken, extra: Evidence): ResultBody {
  const reason = flagReason(decodeFlags(seen.flags));
  const evidence: Evidence = {
    ...base(t),
    present: true,
    slot: seen.slotHex,
    tokenLabel: seen.label,
    tokenSerial: seen.serial,
    manufacturer: seen.manufacturer,
    model: seen.model,
    ...flagEvidence(seen.flags),
    ...extra,
  };
  const who = `${seen.label || '(no label)'} / ${seen.serial || '-'}`;
  if (!reason) {
    return { status: 'ok', reason: 'ok', subject: t.name, labels: labels(t), evidence, message: { zh: `令牌 ${who} 在位，状态正常`, en: `token ${who} present and healthy` } };
  }
  const text = FLAG_TEXT[reason];
  return { status: 'fail', reason, subject: t.name, labels: labels(t), evidence, message: { zh: `令牌 ${who}：${text.zh}`, en: `token ${who}: ${text.en}` } };
}

export function signTestResult(t: ResolvedToken, outcome: SignTestOutcome): ResultBody {
  return {
    status: outcome.reason === 'ok' ? 'ok' : 'fail',
    reason: outcome.reason,
    subject: signTestSubject(t.name),
    labels: labels(t),
    evidence: outcome.evidence,
    message: outcome.message,
  };
}
