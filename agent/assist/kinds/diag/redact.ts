import { redactUrlCredentials } from '../../../core/config/redact.js';

/**
 * Redaction of log text before it leaves the terminal: secrets (key=value and JSON pairs, Bearer/Basic credentials,
 * URL user info) and card holders' personal data (resident ID numbers, mainland mobile numbers). Over-redacting is
 * the safe side; a serial number that looks like an ID number is hidden too.
 */
export const MASK = '[redacted]';

const SECRET_WORD = /password|passwd|passphrase|pwd|secret|token|authorization|cookie/i;

/** A key whose value is a secret: password, passwd, pwd, pin, token, secret, key — as a word or the end of a name. */
export function isSecretKey(key: string): boolean {
  return SECRET_WORD.test(key) || /^(pin|key)$/i.test(key) || /[_.-](pin|key)$/i.test(key) || /[a-z0-9](Pin|PIN|Key|KEY)$/.test(key);
}

// key, optionally quoted (also \" inside a JSON string), a separator, then a quoted or bare value. The look-behind
// keeps "monkey=" from being read as "key=".
const PAIR = /(?<![\w.-])(\\?["']?)([A-Za-z_][\w.-]*)\1(\s*[:=]\s*)(\\"(?:(?!\\").)*\\"|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&"'}\])]+)/g;

function maskValue(value: string): string {
  if (value.startsWith('\\"')) return `\\"${MASK}\\"`;
  if (value.startsWith('"') || value.startsWith("'")) return `${value[0]}${MASK}${value[0]}`;
  return MASK;
}

function redactPairs(line: string): string {
  let out = '';
  let last = 0;
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(line); m; m = PAIR.exec(line)) {
    const [whole, quote, key, sep, value] = m as unknown as [string, string, string, string, string];
    // "Authorization: Bearer [redacted]": the scheme rule already hid what follows the scheme word.
    if (!isSecretKey(key) || /^(Bearer|Basic|Digest)$/i.test(value)) {
      PAIR.lastIndex = m.index + quote.length + key.length; // look inside the value too: msg="... password=x"
      continue;
    }
    out += `${line.slice(last, m.index)}${quote}${key}${quote}${sep}${maskValue(value)}`;
    last = m.index + whole.length;
  }
  return out + line.slice(last);
}

const AUTH_SCHEME = /\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]+/gi;
/** 18-digit resident ID (GB 11643): 6-digit area, birth date 19xx/20xx, 3-digit sequence, check digit or X. */
const RESIDENT_ID = /(?<!\d)[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)/g;
/** Mainland mobile numbers: 1[3-9]x xxxx xxxx, with an optional +86 and spaces or dashes. */
const MOBILE = /(?<!\d)(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)/g;

export function redactLine(line: string): string {
  let s = redactUrlCredentials(line);
  s = s.replace(AUTH_SCHEME, `$1 ${MASK}`);
  s = redactPairs(s);
  s = s.replace(RESIDENT_ID, '[redacted-id]');
  return s.replace(MOBILE, '[redacted-mobile]');
}

export function redactText(text: string): string {
  return text.split('\n').map(redactLine).join('\n');
}
