import { beforeAll, describe, expect, it } from 'vitest';
import { certificateResults, inspectCertificates, type CertificateReport } from './index.js';
import { getTestPki, type TestPki } from './test-support/pki.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
let pki: TestPki;

beforeAll(async () => {
  pki = await getTestPki();
});

async function inspectAt(name: string, at: Date): Promise<{ report: CertificateReport; message: { zh: string; en: string } }> {
  const [report] = await inspectCertificates({ source: 'days', certificates: [{ der: pki.der(name), label: name }] }, {}, { now: at });
  const [result] = certificateResults([report!], { now: at });
  return { report: report!, message: result!.message };
}

// Issue 19, item 10: the past must round like the future, in the figures and in the words.
describe('days in certificate messages, one rule both ways', () => {
  it('says an intermediate that expired 24 h + 1 min ago did so 1 day ago, not 1.1', async () => {
    const notAfter = (await inspectAt('rsa-int', pki.createdAt)).report.notAfter!;
    const { report, message } = await inspectAt('rsa-int', new Date(Date.parse(notAfter) + DAY + MINUTE));
    expect(report.findings[0]!.reason).toBe('expired');
    expect(report.daysLeft).toBe(-1);
    expect(message.en).toMatch(/\(1 day ago\)$/);
    expect(message.zh).toContain('（1 天前）');
  });

  it('cuts the days left the same way: 19.95 days is "19.9 days left", 24 h + 1 min is "1 day left"', async () => {
    const notAfter = Date.parse((await inspectAt('rsa-exp20', pki.createdAt)).report.notAfter!);
    const soon = await inspectAt('rsa-exp20', new Date(notAfter - 19.95 * DAY));
    expect(soon.report.daysLeft).toBe(19.9);
    expect(soon.message.en).toContain('19.9 days left');
    expect(soon.message.zh).toContain('剩余 19.9 天');
    const dayLeft = await inspectAt('rsa-exp20', new Date(notAfter - DAY - MINUTE));
    expect(dayLeft.report.daysLeft).toBe(1);
    expect(dayLeft.message.en).toContain('1 day left');
  });

  it('speaks in hours and minutes under a day instead of "0 days"', async () => {
    const notAfter = Date.parse((await inspectAt('rsa-exp5', pki.createdAt)).report.notAfter!);
    const hours = await inspectAt('rsa-exp5', new Date(notAfter - 5 * HOUR - 59 * MINUTE));
    expect(hours.report.daysLeft).toBe(0.2);
    expect(hours.message.en).toContain('5 hours left');
    const expired = await inspectAt('rsa-exp5', new Date(notAfter + 30 * MINUTE));
    expect(expired.report.daysLeft).toBe(0); // not -0, not -0.1
    expect(expired.message.en).toMatch(/\(30 minutes ago\)$/);
  });
});
