// One notification as the channels see it: already routed and grouped, one message per send.
export type Grade = 'critical' | 'major' | 'minor';

export interface NotifyFault {
  faultId: string;
  code: string;
  grade: Grade;
  titleZh: string;
  titleEn: string;
  agentId: string;
  /** The institution's code (fixmedins_code): routes and silences match its prefixes. */
  institution: string;
  institutionName?: string;
  since: string; // ISO time the fault was first seen
  actionZh?: string;
  actionEn?: string;
  resolved?: boolean;
  /** Set when this notice is an escalation: nobody acknowledged the fault within afterMinutes. */
  escalation?: { step: number; afterMinutes: number };
}

/** A ticket step for the outbound ticket integration (ticket-sync.ts). */
export interface TicketSyncEvent {
  event: 'ticket.step';
  /** TICKET/STEP, e.g. T-000042/7: the receiver's idempotency key. */
  id: string;
  ticket: unknown;
  step: unknown;
}

export interface NotifyMessage {
  /** One site's faults within the grouping window; never empty, except in a ticket event's message (ticketSync). */
  faults: NotifyFault[];
  ticketSync?: TicketSyncEvent;
  /** Console base URL for links to a fault, e.g. https://desk.example/console; omitted: no link. */
  consoleBaseUrl?: string;
}

/** What a send came to: delivered, worth retrying (rate limit, 5xx, network), or never going to work as is. */
export type SendOutcome =
  | { kind: 'sent' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; reason: string };

export interface NotifyChannel {
  readonly name: string;
  readonly kind: 'wecom' | 'dingtalk' | 'feishu' | 'webhook' | 'email';
  send(message: NotifyMessage, signal?: AbortSignal): Promise<SendOutcome>;
}
