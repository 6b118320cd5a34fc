// What the terminal's operator can do about a fault, for the notification text: the agent's runbooks as data
// (desk/fault-runbooks.ts, generated), and the desk's own faults, which are not in them.
import type { Text } from '../../agent/core/text.js';
import { FAULT_RUNBOOKS } from '../fault-runbooks.js';

const DESK_ACTIONS: Record<string, Text> = {
  NOTIFY_CHANNEL_FAILING: {
    zh: '检查该渠道的机器人密钥、签名和网络（guardpost desk-cli notify 查看原因）；恢复发送后自动解除。',
    en: "Check the channel's robot key, signature and network (guardpost desk-cli notify shows why); it clears itself once sends succeed.",
  },
};

export function faultAction(code: string): Text | undefined {
  return FAULT_RUNBOOKS[code]?.operator ?? DESK_ACTIONS[code];
}
