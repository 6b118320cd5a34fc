import { createHash } from 'node:crypto';

/** The stable identity of a fault: the same agent, check, subject and code always give the same key. */
export function faultKey(agentId: string, checkId: string, subject: string, code: string): string {
  return createHash('sha256').update([agentId, checkId, subject, code].join('\u0000')).digest('hex').slice(0, 32);
}
