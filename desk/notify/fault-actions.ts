// What the terminal's operator can do about a fault, from the agent's fault catalogue (the hotline's runbook), for
// the notification text; and the desk's own faults, which are not in it.
import { loadBuiltinPlugins } from '../../agent/checks/index.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import type { Text } from '../../agent/core/text.js';

const catalogue = new FaultCatalogue(await loadBuiltinPlugins());

const DESK_ACTIONS: Record<string, Text> = {
  NOTIFY_CHANNEL_FAILING: {
    zh: '检查该渠道的机器人密钥、签名和网络（guardpost desk-cli notify 查看原因）；恢复发送后自动解除。',
    en: "Check the channel's robot key, signature and network (guardpost desk-cli notify shows why); it clears itself once sends succeed.",
  },
};

export function faultAction(code: string): Text | undefined {
  return catalogue.get(code)?.operator ?? DESK_ACTIONS[code];
}
