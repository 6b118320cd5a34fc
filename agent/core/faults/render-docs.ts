import type { CheckPlugin } from '../checks/plugin.js';
import { FRAMEWORK_REASONS } from '../checks/result.js';
import { SEVERITIES, SEVERITY_TEXT } from '../severity.js';
import type { FaultCatalogue } from './catalogue.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * Renders docs/faults.md from the catalogue: the hotline's runbook and the closed list of probe reasons.
 * Generated, never edited by hand; a test fails when the file and the code disagree.
 */
export function renderFaultsMarkdown(catalogue: FaultCatalogue, plugins: CheckPlugin[]): string {
  const lines: string[] = [
    '# 故障目录 / Fault catalogue',
    '',
    '<!-- Generated from the code by `guardpost docs faults`; do not edit by hand. -->',
    '',
    'Every fault Guardpost can raise, with its default grade, likely causes, what the terminal operator can do and what the',
    'service engineer should do. Grades follow the maintenance contracts:',
    '',
    ...SEVERITIES.map((s) => `- **${SEVERITY_TEXT[s].zh} ${s}**: ${gradeMeaning[s]}`),
    '',
    'A fault is identified by a stable key, hash(agent id, check id, subject, code); each time it opens it gets a new',
    'occurrence id. Checks may grade an occurrence differently from the default (for example by days left).',
    '',
    '## Index',
    '',
    '| code | default grade | owner | 标题 | title |',
    '|---|---|---|---|---|',
  ];
  const defs = [...catalogue.byCode.values()];
  for (const d of defs) {
    lines.push(`| [${d.code}](#${d.code.toLowerCase()}) | ${SEVERITY_TEXT[d.severity].zh} ${d.severity} | ${d.owner} | ${cell(d.title.zh)} | ${cell(d.title.en)} |`);
  }
  for (const d of defs) {
    lines.push(
      '',
      `## ${d.code}`,
      '',
      `**${d.title.zh}** / ${d.title.en} — default grade ${SEVERITY_TEXT[d.severity].zh} ${d.severity}; raised by \`${d.owner}\`.`,
      '',
      '可能原因 / Likely causes:',
      '',
      ...(d.causes.length ? d.causes.map((c) => `- ${c.zh} / ${c.en}`) : ['- (see the check README)']),
      '',
      `现场操作 / What the operator can do: ${d.operator.zh} / ${d.operator.en}`,
      '',
      `工程师处理 / What the engineer should do: ${d.engineer.zh} / ${d.engineer.en}`,
    );
  }
  lines.push(
    '',
    '## Probe reasons (closed list)',
    '',
    'Every probe result carries `reason`: `ok`, or one of the codes below. The list is a contract: a new reason is',
    'added here, never invented at run time.',
    '',
    '| check | reason | 说明 | meaning |',
    '|---|---|---|---|',
    ...Object.entries(FRAMEWORK_REASONS).map(([r, t]) => `| (any) | \`${r}\` | ${cell(t.zh)} | ${cell(t.en)} |`),
  );
  for (const p of plugins) {
    for (const [r, t] of Object.entries(p.reasons)) lines.push(`| ${p.type} | \`${r}\` | ${cell(t.zh)} | ${cell(t.en)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

const gradeMeaning = {
  critical: '严重 — business interrupted: settlement or authentication impossible.',
  major: '一般 — a function impaired.',
  minor: '轻微 — degraded, slow, or needs attention soon.',
};
