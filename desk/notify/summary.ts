// A robot's budget spent: the messages waiting for it become one summary — the first faults in full, the rest
// counted (robots cap a message's length). Grouped, never dropped.
import type { NotifyFault, NotifyMessage } from './types.js';

export function summarise(messages: NotifyMessage[], maxFaultsListed: number): NotifyMessage {
  const faults: NotifyFault[] = messages.flatMap((m) => m.faults);
  const listed = faults.slice(0, maxFaultsListed);
  const rest = faults.length - listed.length;
  if (rest > 0) {
    const last = faults[faults.length - 1]!;
    const { actionZh: _zh, actionEn: _en, escalation: _e, ...plain } = last;
    listed.push({ ...plain, code: 'summary', titleZh: `另有 ${rest} 条故障`, titleEn: `and ${rest} more faults` });
  }
  const consoleBaseUrl = messages.find((m) => m.consoleBaseUrl)?.consoleBaseUrl;
  return { faults: listed, ...(consoleBaseUrl ? { consoleBaseUrl } : {}) };
}
