import type { Lang } from '../../agent/core/text.js';
import { renderTable } from '../../agent/core/text-table.js';
import type { ChannelStatus } from '../notify/notify-service.js';
import { cst } from './render.js';

/** `guardpost desk-cli notify`: each channel's health, a failing one marked. */
export function notifyTable(r: { configured: boolean; channels: ChannelStatus[] }, lang: Lang): string {
  const zh = lang === 'zh';
  if (!r.configured) return zh ? '未配置通知（desk.json 的 notify 部分）。' : 'No notifications configured (desk.json notify).';
  const at = (ms: number | null) => (ms === null ? '-' : cst(new Date(ms).toISOString()));
  return renderTable(
    zh ? ['渠道', '类型', '状态', '待发送', '已发送', '已合并', '失败', '最近发送', '最近错误'] : ['channel', 'kind', 'state', 'pending', 'sent', 'merged', 'failed', 'last sent', 'last error'],
    r.channels.map((c) => {
      const failing = c.consecutiveFailures > 0;
      return [
        c.channel,
        c.kind,
        failing ? (zh ? `失败 ×${c.consecutiveFailures}` : `failing ×${c.consecutiveFailures}`) : zh ? '正常' : 'ok',
        String(c.pending),
        String(c.sent),
        String(c.merged),
        String(c.failed),
        at(c.lastSentAt),
        c.lastError || '-',
      ];
    }),
  );
}
