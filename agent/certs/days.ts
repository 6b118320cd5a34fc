import type { Text } from '../core/text.js';

/**
 * How far away a moment is, in days, for every certificate and CRL figure and message. One rule in both
 * directions: cut toward zero, so "6.9 days" is at most 6.9 days whether they are left or have passed (a
 * certificate that expired 24 h + 1 min ago did so "1 day ago", as one expiring in 24 h + 1 min has "1 day left").
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Signed days from `now` to `when` (negative once passed), to a tenth, cut toward zero. */
export function daysBetween(now: Date, when: Date): number {
  const tenths = Math.trunc(((when.getTime() - now.getTime()) * 10) / DAY_MS);
  return tenths / 10 + 0; // + 0: no "-0" for a moment less than a tenth of a day ago
}

/** A span as words, cut toward zero: days to a tenth from one day up, whole hours below, whole minutes below that. */
export function spanText(ms: number): Text {
  const abs = Math.abs(ms);
  if (abs >= DAY_MS) {
    const days = Math.trunc((abs * 10) / DAY_MS) / 10;
    return { zh: `${days} 天`, en: `${days} ${days === 1 ? 'day' : 'days'}` };
  }
  if (abs >= HOUR_MS) {
    const hours = Math.trunc(abs / HOUR_MS);
    return { zh: `${hours} 小时`, en: `${hours} ${hours === 1 ? 'hour' : 'hours'}` };
  }
  const minutes = Math.trunc(abs / MINUTE_MS);
  if (minutes === 0) return { zh: '不到 1 分钟', en: 'less than a minute' };
  return { zh: `${minutes} 分钟`, en: `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}` };
}

/** "剩余 6.9 天" / "6.9 days left" until `when`. */
export function timeLeft(when: Date, now: Date): Text {
  const s = spanText(when.getTime() - now.getTime());
  return { zh: `剩余 ${s.zh}`, en: `${s.en} left` };
}

/** "6.9 天前" / "6.9 days ago" since `when`. */
export function timeAgo(when: Date, now: Date): Text {
  const s = spanText(now.getTime() - when.getTime());
  return { zh: `${s.zh}前`, en: `${s.en} ago` };
}
