import type { DeskApiClient } from './api-client.js';
import type { Runbook, Ticket, TicketStep } from '../tickets/ticket-types.js';

/** The tickets over the engineer API, for desk-cli and any other engineer tool. Refusals reject with ApiError. */

export interface TicketView {
  ticket: Ticket;
  steps: TicketStep[];
  knowledgeBase: (Runbook & { code: string }) | null;
}

export interface HandTicketAsk {
  agentId: string;
  summary: string;
  faultId?: string;
  code?: string;
  caller?: string;
}

/** The transition routes, by the path after /api/v1/tickets/:id/. */
export type TicketStepPath = 'dispatch' | 'start' | 'resolve' | 'follow-up' | 'close' | 'reopen';

const path = (id: string, tail = '') => `/api/v1/tickets/${encodeURIComponent(id)}${tail}`;

export class TicketClient {
  constructor(private readonly api: DeskApiClient) {}

  async list(q: { state?: string | undefined; assignee?: string | undefined; site?: string | undefined; agent?: string | undefined; limit?: string | undefined }): Promise<Ticket[]> {
    return (await this.api.get<{ tickets: Ticket[] }>('/api/v1/tickets', q)).tickets;
  }

  get(id: string): Promise<TicketView> {
    return this.api.get<TicketView>(path(id));
  }

  async open(ask: HandTicketAsk): Promise<Ticket> {
    return (await this.api.post<{ ticket: Ticket }>('/api/v1/tickets', ask)).ticket;
  }

  async step(id: string, step: TicketStepPath, body: Record<string, string | number>): Promise<Ticket> {
    return (await this.api.post<{ ticket: Ticket }>(path(id, `/${step}`), body)).ticket;
  }

  note(id: string, note: string): Promise<{ ticket: Ticket; step: TicketStep }> {
    return this.api.post(path(id, '/notes'), { note });
  }
}
