import type { Text } from '../../core/text.js';
import { DNS_REASONS, HTTP_REASONS, PROXY_AUTH_REASONS, TLS_REASONS, UNREACHABLE_REASONS } from '../../net/index.js';

export const SIGNIN_REASONS = {
  signin_rejected: { zh: '签到（9001）被平台拒绝', en: 'the sign-in (9001) was rejected by the platform' },
  signin_bad_response: { zh: '签到（9001）应答无法识别', en: 'the sign-in (9001) answer could not be read' },
  signin_unreachable: { zh: '签到（9001）请求无法送达', en: 'the sign-in (9001) request could not be delivered' },
} as const satisfies Record<string, Text>;

/**
 * The closed list of this check's own reasons: agent/net's probe reasons, slowness and the sign-in's. It also
 * reports `clock_skew` (graded in agent/core/faults/clock-skew.ts) and the certificate engine's reasons.
 */
export const reasons = {
  ...DNS_REASONS,
  ...UNREACHABLE_REASONS,
  ...TLS_REASONS,
  ...HTTP_REASONS,
  slow: { zh: '连续多次响应缓慢', en: 'slow answers several times in a row' },
  ...PROXY_AUTH_REASONS,
  ...SIGNIN_REASONS,
} as const satisfies Record<string, Text>;

export type SettlementReason = keyof typeof reasons;
