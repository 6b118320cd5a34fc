import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import type { Evidence } from '../../core/checks/result.js';
import type { Text } from '../../core/text.js';
import { loginUnsafe, type TokenFlags } from './flags.js';
import { JournalError, type LoginJournal } from './login-journal.js';
import { call, P11, Pkcs11CallError, type Pkcs11 } from './module.js';
import { findObjects, withSession } from './objects.js';
import type { SignTestSettings } from './schema.js';

/** What the sign test remembers per token across runs and restarts (part of the check's persistent state). */
export interface SignTestMemory {
  /** Local calendar day (YYYY-MM-DD) of a failed login: no second attempt that day. */
  loginFailedOn?: string;
  loginFailure?: string;
  /** Last time a login was attempted, ISO. */
  lastRunAt?: string;
  last?: SignTestOutcome;
}

export interface SignTestOutcome {
  reason: 'ok' | 'sign_test_skipped' | 'login_failed' | 'sign_test_failed';
  message: Text;
  evidence: Evidence;
}

export const localDay = (d: Date): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

const SM2_CURVE = '1.2.156.10197.1.301';

/**
 * The sign test of one present, initialised token. Logs in only when every guard allows it: enabled (checked by
 * the caller), no failed login today, a login journal that can be trusted, no PIN retry flag set, and the interval
 * since the last attempt is over. Between attempts the last outcome is repeated, so a fault it opened stays open.
 */
export function runSignTest(
  lib: Pkcs11,
  slot: Buffer,
  flags: TokenFlags,
  settings: SignTestSettings,
  memory: SignTestMemory,
  journal: LoginJournal,
  now: Date,
): SignTestOutcome {
  const today = localDay(now);
  const journaled = journal.read();
  const marked = journaled.kind === 'marked' ? journaled.day : null;
  if (journaled.kind === 'marked' && marked === today && memory.loginFailedOn !== today) {
    // A login today that this state does not know of: another process saw it refused (a restart whose state was
    // lost, a one-shot check), or the child died inside C_Login (no reason recorded then).
    memory.loginFailedOn = today;
    memory.loginFailure = journaled.failure ?? 'login attempt interrupted (module crashed or hung)';
  } else if (marked !== null && marked !== today) {
    endQuietly(journal); // an earlier day's failure: a new day may try once more
  }
  if (memory.loginFailedOn === today) {
    return {
      reason: 'login_failed',
      message: {
        zh: `今天的登录已失败（${memory.loginFailure ?? '未知错误'}），为防止锁死，明天之前不再尝试`,
        en: `the login failed today (${memory.loginFailure ?? 'unknown error'}); not trying again before tomorrow, so the PIN cannot lock`,
      },
      evidence: { loginFailedOn: today, ckr: memory.loginFailure ?? null, loginAttempted: false, loginJournal: journal.file },
    };
  }
  if (journaled.kind === 'unusable') return journalRefused(journaled.reason);
  if (loginUnsafe(flags)) {
    return {
      reason: 'sign_test_skipped',
      message: {
        zh: '令牌显示 PIN 曾输错、仅剩最后一次或已锁定，为防止锁死未登录，签名测试已跳过',
        en: 'the token reports a wrong PIN earlier, a final try or a lock: sign test skipped without logging in, so the PIN cannot lock',
      },
      evidence: { pinCountLow: flags.pinCountLow, pinFinalTry: flags.pinFinalTry, pinLocked: flags.pinLocked, loginAttempted: false },
    };
  }
  const due = !memory.lastRunAt || now.getTime() - Date.parse(memory.lastRunAt) >= settings.intervalMinutes * 60_000;
  if (!due && memory.last) return memory.last;

  memory.lastRunAt = now.toISOString();
  const outcome = withSession(lib, slot, (session) => loginAndSign(lib, session, settings, memory, journal, today));
  memory.last = outcome;
  return outcome;
}

function loginAndSign(
  lib: Pkcs11,
  session: Buffer,
  settings: SignTestSettings,
  memory: SignTestMemory,
  journal: LoginJournal,
  today: string,
): SignTestOutcome {
  // The marker stays unless the login succeeds: a failure, or a module that kills the process inside C_Login, is
  // then remembered for the day even if this run's state never reaches the parent. No marker, no login.
  try {
    journal.begin(today);
  } catch (err) {
    if (err instanceof JournalError) return journalRefused(err.message);
    throw err;
  }
  try {
    lib.C_Login(session, P11.CKU_USER, settings.pin!.reveal());
    endQuietly(journal);
  } catch (err) {
    const ckr = err instanceof Error && err.message.startsWith('CKR_') ? err.message : 'error';
    if (ckr === 'CKR_USER_ALREADY_LOGGED_IN') endQuietly(journal);
    else {
      try {
        journal.refused(today, ckr);
      } catch {
        // begin()'s marker still bars the day; a later process then says "interrupted" instead of the code
      }
      memory.loginFailedOn = today;
      memory.loginFailure = ckr;
      return {
        reason: 'login_failed',
        message: { zh: `登录失败（${ckr}），今天不再重试`, en: `login failed (${ckr}); no further attempt today` },
        evidence: { ckr, loginAttempted: true, loginFailedOn: today, loginJournal: journal.file },
      };
    }
  }
  delete memory.loginFailedOn;
  delete memory.loginFailure;
  try {
    return signAndVerify(lib, session, settings);
  } catch (err) {
    const what = err instanceof Pkcs11CallError ? `${err.call}: ${err.ckr}` : String((err as Error).message ?? err).slice(0, 200);
    return failed({ zh: `签名测试出错（${what}）`, en: `sign test error (${what})` }, { error: what });
  } finally {
    try {
      lib.C_Logout(session);
    } catch {
      // C_Finalize ends the login anyway
    }
  }
}

function signAndVerify(lib: Pkcs11, session: Buffer, settings: SignTestSettings): SignTestOutcome {
  const template: Parameters<Pkcs11['C_FindObjectsInit']>[1] = [{ type: P11.CKA_CLASS, value: P11.CKO_PRIVATE_KEY }];
  if (settings.keyLabel) template.push({ type: P11.CKA_LABEL, value: settings.keyLabel });
  if (settings.keyId) template.push({ type: P11.CKA_ID, value: Buffer.from(settings.keyId, 'hex') });
  const keys = findObjects(lib, session, template, 16);
  for (const key of keys) {
    const [id, label, keyType] = attributes(lib, session, key, [P11.CKA_ID, P11.CKA_LABEL, P11.CKA_KEY_TYPE]);
    const cert = certificateFor(lib, session, id!, label!);
    if (!cert) continue;
    return signWith(lib, session, key, keyType!.readUIntLE(0, Math.min(keyType!.length, 6)), cert, {
      keyId: id!.toString('hex'),
      keyLabel: label!.toString('utf8'),
    });
  }
  const which = settings.keyLabel || settings.keyId ? `label "${settings.keyLabel}" id "${settings.keyId}"` : 'any';
  return failed(
    { zh: `找不到带证书的私钥（${which}）`, en: `no private key with a matching certificate (${which})` },
    { privateKeysFound: keys.length },
  );
}

function signWith(lib: Pkcs11, session: Buffer, key: Buffer, keyType: number, der: Buffer, ids: Evidence): SignTestOutcome {
  const cert = new X509Certificate(der);
  const nonce = randomBytes(32);
  const evidence: Evidence = { ...ids, certificateSubject: cert.subject.replace(/\n/g, ', '), nonceBytes: nonce.length };
  let mechanism: number;
  let data: Buffer;
  let dsaEncoding: 'der' | 'ieee-p1363' | undefined;
  if (keyType === P11.CKK_RSA) {
    mechanism = P11.CKM_SHA256_RSA_PKCS;
    data = nonce;
  } else if (keyType === P11.CKK_EC) {
    if (curveOf(cert) === SM2_CURVE) {
      // SM2 signing needs each vendor's own mechanism number; PKCS#11 2.40 has none.
      return {
        reason: 'sign_test_skipped',
        message: { zh: 'SM2 私钥的签名测试需要厂商专用机制，暂不支持', en: 'the sign test does not support SM2 keys (vendor-specific mechanisms)' },
        evidence: { ...evidence, unsupported: 'SM2', loginAttempted: true },
      };
    }
    mechanism = P11.CKM_ECDSA; // raw ECDSA over our own SHA-256 digest: supported more widely than CKM_ECDSA_SHA256
    data = createHash('sha256').update(nonce).digest();
    dsaEncoding = 'ieee-p1363';
  } else {
    return failed({ zh: `不支持的密钥类型 ${keyType}`, en: `unsupported key type ${keyType}` }, { ...evidence, keyType });
  }
  call('C_SignInit', () => lib.C_SignInit(session, { mechanism }, key));
  const signature = call('C_Sign', () => lib.C_Sign(session, data, Buffer.alloc(1024)));
  const good = verify('sha256', nonce, dsaEncoding ? { key: cert.publicKey, dsaEncoding } : cert.publicKey, signature);
  if (!good) return failed({ zh: '签名无法用证书公钥验证：私钥与证书不匹配', en: "the signature does not verify with the certificate's public key: key and certificate do not match" }, evidence);
  return {
    reason: 'ok',
    message: { zh: '登录、签名并用证书验证成功', en: 'logged in, signed a random nonce and verified it with the certificate' },
    evidence: { ...evidence, signatureBytes: signature.length, loginAttempted: true },
  };
}

/** The login journal cannot be trusted or written: no login, rather than risk a second wrong PIN. */
function journalRefused(reason: string): SignTestOutcome {
  return {
    reason: 'sign_test_skipped',
    message: {
      zh: `防止 PIN 锁死的登录记录不可信（${reason}），为防止锁死未登录，签名测试已跳过`,
      en: `the wrong-PIN guard (login journal) cannot be trusted (${reason}): not logging in, so the PIN cannot lock`,
    },
    evidence: { loginJournal: reason, loginAttempted: false },
  };
}

/** A marker that cannot be removed only bars logins for its day: the safe side, so the error is not the run's. */
function endQuietly(journal: LoginJournal): void {
  try {
    journal.end();
  } catch {
    // see above
  }
}

function failed(message: Text, evidence: Evidence): SignTestOutcome {
  return { reason: 'sign_test_failed', message, evidence: { ...evidence, loginAttempted: true } };
}

function attributes(lib: Pkcs11, session: Buffer, handle: Buffer, types: number[]): Buffer[] {
  const got = call('C_GetAttributeValue', () => lib.C_GetAttributeValue(session, handle, types.map((type) => ({ type }))));
  return types.map((t) => Buffer.from(got.find((a) => a.type === t)?.value ?? Buffer.alloc(0)));
}

/** The certificate that belongs to a key: same CKA_ID (how PKCS#11 ties them), else the same label. */
function certificateFor(lib: Pkcs11, session: Buffer, id: Buffer, label: Buffer): Buffer | null {
  const by = id.length > 0 ? { type: P11.CKA_ID, value: id } : { type: P11.CKA_LABEL, value: label };
  const [handle] = findObjects(lib, session, [{ type: P11.CKA_CLASS, value: P11.CKO_CERTIFICATE }, by], 1);
  if (!handle) return null;
  const [der] = attributes(lib, session, handle, [P11.CKA_VALUE]);
  return der && der.length > 0 ? der : null;
}

/** The named curve OID of an EC certificate key, from its SPKI (Node names SM2 keys "undefined" otherwise). */
function curveOf(cert: X509Certificate): string | null {
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const sm2 = Buffer.from([0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d]); // OID 1.2.156.10197.1.301
  return spki.includes(sm2) ? SM2_CURVE : cert.publicKey.asymmetricKeyDetails?.namedCurve ?? null;
}
