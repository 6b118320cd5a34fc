import type { Fault, InhibitRule } from './types.js';

function label(f: Fault, name: string): string {
  if (name === 'subject') return f.subject;
  if (name === 'checkId') return f.checkId;
  if (name === 'code') return f.code;
  return f.labels[name] ?? ''; // a missing label counts as empty, as in Alertmanager
}

/**
 * Which active faults mute which (Alertmanager's algorithm on current state): a target is muted while any other
 * active fault matches a rule's source codes with equal values for the rule's `equal` labels. Never by itself.
 * Returns key → sorted keys of the muting faults, for every active fault (empty list when not muted).
 */
export function computeInhibitions(active: Fault[], rules: InhibitRule[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const target of active) {
    const by = new Set<string>();
    for (const rule of rules) {
      if (!rule.target.includes(target.code)) continue;
      for (const source of active) {
        if (source.key === target.key || !rule.source.includes(source.code)) continue;
        if (rule.equal.every((l) => label(source, l) === label(target, l))) by.add(source.key);
      }
    }
    out.set(target.key, [...by].sort());
  }
  return out;
}
