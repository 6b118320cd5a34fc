import { describe, expect, it } from 'vitest';
import { isSecretKey, redactLine } from './redact.js';

describe('log redaction', () => {
  it('hides secrets written as key=value, key: value and JSON pairs, keeping the key', () => {
    expect(redactLine('login user=kiosk password=Hunter2! ok')).toBe('login user=kiosk password=[redacted] ok');
    expect(redactLine('PIN: 123456, retries=3')).toBe('PIN: [redacted], retries=3');
    expect(redactLine('{"level":30,"pwd":"s3cr3t","apiKey":"abc","tokenLabel":"GDCA","n":1}')).toBe(
      '{"level":30,"pwd":"[redacted]","apiKey":"[redacted]","tokenLabel":"[redacted]","n":1}',
    );
    expect(redactLine("cfg proxy_passwd='a b c' secret = xyz")).toBe("cfg proxy_passwd='[redacted]' secret = [redacted]");
    expect(redactLine('GET /api?access_token=eyJhbGci&page=2')).toBe('GET /api?access_token=[redacted]&page=2');
    expect(redactLine('msg="retry with passwd=abc123 now"')).toBe('msg="retry with passwd=[redacted] now"');
    expect(redactLine('{"msg":"{\\"pin\\":\\"654321\\"}"}')).toBe('{"msg":"{\\"pin\\":\\"[redacted]\\"}"}');
  });

  it('leaves words that only contain a short secret word alone', () => {
    for (const k of ['ping', 'keyboard', 'monkey', 'spinner', 'keys', 'mapping']) expect(isSecretKey(k), k).toBe(false);
    for (const k of ['pin', 'KEY', 'user_pin', 'api-key', 'accessKey', 'userPIN', 'Password', 'X-Auth-Token', 'secretValue']) expect(isSecretKey(k), k).toBe(true);
    expect(redactLine('ping=12ms monkey=banana keyboard=us')).toBe('ping=12ms monkey=banana keyboard=us');
  });

  it('hides URL user info and Authorization credentials', () => {
    expect(redactLine('proxy http://gp:pa55@10.0.0.1:3128 failed')).toBe('proxy http://***@10.0.0.1:3128 failed');
    expect(redactLine('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y')).toBe('Authorization: Bearer [redacted]');
    expect(redactLine('header Basic Z3A6cGE1NQ== sent')).toBe('header Basic [redacted] sent');
  });

  it('hides 18-digit resident ID numbers and mainland mobile numbers, not other numbers', () => {
    expect(redactLine('psn_cert_no=11010519491231002X name ok')).toBe('psn_cert_no=[redacted-id] name ok');
    expect(redactLine('ID440106199003071234 settled')).toBe('ID[redacted-id] settled');
    expect(redactLine('tel 13812345678 / +86 139-1234-5678 / 86 15012345678')).toBe('tel [redacted-mobile] / [redacted-mobile] / [redacted-mobile]');
    // a 20-digit settlement serial, an 11-digit number not starting 1[3-9], a time stamp: all kept
    expect(redactLine('mdtrt_id=44010620260501123456 fee=12345678901 at 20260501103000')).toBe('mdtrt_id=44010620260501123456 fee=12345678901 at 20260501103000');
  });
});
