import type { AssistPolicy } from '../../policy/schema.js';
import { parseTarget, targetKey, type ForwardTarget } from '../../policy/targets.js';
import type { AssistSession } from '../../session/assist-sessions.js';

const canonical = (entry: string): string => {
  const t = parseTarget(entry);
  return typeof t === 'string' ? entry : targetKey(t);
};

/**
 * Whether a forward may connect to `target`: it must be in the policy's allowlist and, when the request named its
 * targets, among those too. Compared as written (canonical spelling), never resolved: DNS cannot widen either list.
 * Returns why not, or undefined when allowed.
 */
export function forwardRefusal(target: ForwardTarget, policy: AssistPolicy, session: AssistSession): string | undefined {
  const key = targetKey(target);
  if (!policy.forwardTargets.map(canonical).includes(key)) return `${key} is not in assist.forwardTargets (${policy.forwardTargets.join(', ') || 'empty'})`;
  const listed = session.request.forwardTargets;
  if (listed?.length && !listed.map(canonical).includes(key)) return `${key} is not among the targets the session's request named (${listed.join(', ')})`;
  return undefined;
}
