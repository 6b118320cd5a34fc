import type { Text } from '../../agent/core/text.js';
import type { Rejection } from '../codec/frame-decoder.js';

/** Why a request to a reader failed: a closed list, so the reader check can map each to a fault. */
export const READER_ERROR_CODES = {
  no_response: { zh: '读卡器无应答', en: 'no byte came back from the reader' },
  bad_frame: { zh: '读卡器应答帧损坏', en: 'bytes came back but no valid frame (checksum, length or framing errors)' },
  error_status: { zh: '读卡器返回错误状态', en: 'the reader answered with an error status' },
  bad_reply: { zh: '读卡器应答数据格式错误', en: 'a valid frame whose data does not fit the command' },
  port_closed: { zh: '串口已关闭或设备已拔出', en: 'the port closed or the device went away' },
  write_failed: { zh: '串口写入失败', en: 'writing to the port failed' },
  aborted: { zh: '请求被取消', en: 'the request was cancelled' },
  unsupported: { zh: '该协议不支持此命令', en: 'the profile has no such command' },
} as const satisfies Record<string, Text>;

export type ReaderErrorCode = keyof typeof READER_ERROR_CODES;

export interface ReaderErrorDetails {
  command: string;
  attempts: number;
  /** Rejected byte sequences seen while waiting (most recent last, at most 8), with stream offsets. */
  rejections?: Rejection[];
  /** The status byte, for error_status. */
  status?: number;
  cause?: unknown;
}

export class ReaderError extends Error {
  override readonly name = 'ReaderError';
  readonly command: string;
  readonly attempts: number;
  readonly rejections: Rejection[];
  readonly status: number | undefined;

  constructor(
    readonly code: ReaderErrorCode,
    message: string,
    details: ReaderErrorDetails,
  ) {
    super(`${details.command}: ${message}${describeRejections(details.rejections)}`, { cause: details.cause });
    this.command = details.command;
    this.attempts = details.attempts;
    this.rejections = details.rejections ?? [];
    this.status = details.status;
  }
}

function describeRejections(rejections: Rejection[] | undefined): string {
  if (!rejections?.length) return '';
  return `; rejected ${rejections.map((r) => `${r.reason} at byte ${r.offset} (${r.length} bytes)`).join(', ')}`;
}
