import type { Text } from '../core/text.js';

export type FindingStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One thing the doctor looked at: what, how it stands, and for anything not ok, how to fix it. */
export interface Finding {
  /** config, files, devices, desk, clock, service. */
  area: string;
  /** The file, device, module or unit looked at. */
  subject: string;
  status: FindingStatus;
  message: Text;
  fix?: Text;
}

export const finding = (area: string, subject: string, status: FindingStatus, message: Text, fix?: Text): Finding => ({
  area,
  subject,
  status,
  message,
  ...(fix ? { fix } : {}),
});
