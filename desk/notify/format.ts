// Message text, Chinese first with English, the same facts for every channel.
import type { Grade, NotifyFault, NotifyMessage } from './types.js';

const GRADE_WORDS: Record<Grade, string> = { critical: '严重 critical', major: '一般 major', minor: '轻微 minor' };

export function gradeWords(grade: Grade): string {
  return GRADE_WORDS[grade];
}

export function faultLink(fault: NotifyFault, consoleBaseUrl: string | undefined): string | undefined {
  if (!consoleBaseUrl) return undefined;
  return `${consoleBaseUrl.replace(/\/+$/, '')}/faults/${encodeURIComponent(fault.faultId)}`;
}

export function messageTitle(message: NotifyMessage): string {
  const first = message.faults[0]!;
  const allResolved = message.faults.every((f) => f.resolved);
  const escalated = message.faults.some((f) => f.escalation && !f.resolved);
  const head = allResolved ? '恢复 resolved' : `${escalated ? '升级 escalated · ' : ''}${gradeWords(worstGrade(message.faults))}`;
  const more = message.faults.length > 1 ? ` (+${message.faults.length - 1})` : '';
  return `[${head}] ${first.institution} ${first.titleZh} ${first.titleEn}${more}`;
}

function worstGrade(faults: NotifyFault[]): Grade {
  if (faults.some((f) => f.grade === 'critical' && !f.resolved)) return 'critical';
  if (faults.some((f) => f.grade === 'major' && !f.resolved)) return 'major';
  return faults[0]!.grade;
}

function faultLines(fault: NotifyFault, consoleBaseUrl: string | undefined, markdown: boolean): string[] {
  const state = fault.resolved ? '恢复 resolved' : gradeWords(fault.grade);
  const bold = (s: string): string => (markdown ? `**${s}**` : s);
  const lines = [
    `${bold(`${state} · ${fault.titleZh} ${fault.titleEn}`)} (${fault.code})`,
    `终端 terminal: ${fault.agentId} · 机构 institution: ${fault.institution}${fault.institutionName ? ` ${fault.institutionName}` : ''}`,
    `开始 since: ${fault.since}`,
  ];
  if (fault.escalation && !fault.resolved) {
    const m = fault.escalation.afterMinutes;
    lines.push(`升级 escalated (${fault.escalation.step}): ${m} 分钟内无人确认 not acknowledged within ${m} min`);
  }
  if (fault.actionZh || fault.actionEn) lines.push(`处理 action: ${[fault.actionZh, fault.actionEn].filter(Boolean).join(' / ')}`);
  const link = faultLink(fault, consoleBaseUrl);
  if (link) lines.push(markdown ? `[查看 view](${link})` : `查看 view: ${link}`);
  return lines;
}

/** Markdown body (WeCom, DingTalk); plain text when markdown is false (Feishu text). */
export function messageBody(message: NotifyMessage, markdown: boolean): string {
  const blocks = message.faults.map((f) => faultLines(f, message.consoleBaseUrl, markdown).join('\n'));
  const title = markdown ? `### ${messageTitle(message)}` : messageTitle(message);
  return [title, ...blocks].join('\n\n');
}

/** One fault's lines as plain text without the link, for layouts that place the link themselves (the e-mail's HTML). */
export function faultTextLines(fault: NotifyFault): string[] {
  return faultLines(fault, undefined, false);
}
