import type { Channel } from '../../tunnel/channels/channel.js';
import type { ChannelCloseReason } from '../../tunnel/channels/close-reasons.js';
import type { AuditKind } from '../audit/kinds.js';
import type { AuditFields } from '../audit/record.js';
import type { AssistKind, AssistPolicy } from '../policy/schema.js';
import type { AssistSession } from '../session/assist-sessions.js';

/**
 * The contract of an assistance kind (diag, shell, forward): a plugin in its own folder, listed in registry.ts. The
 * open handler (../channel-handler.ts) has already checked the session is running and approved for the kind; the
 * plugin checks its params and its own rules before the channel is accepted, then runs on the accepted channel.
 */

export type ChannelParams = Readonly<Record<string, string | number | boolean>>;

/** pino's shape, narrowed to what kinds use. */
export interface KindLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface KindOpenRequest {
  params: ChannelParams;
  session: AssistSession;
  policy: AssistPolicy;
  /** The channel's number (the desk opens odd ones): names what the kind keeps of it, e.g. a shell recording. */
  channel: number;
}

/** A refusal: the reason goes to the desk, the detail to the agent's log; `audit`, when set, is appended too. */
export interface KindRefusal {
  refuse: ChannelCloseReason;
  detail: string;
  audit?: { kind: AuditKind; fields: AuditFields };
}

export interface KindStart {
  /** This end's receive window for the channel (default: the mux's). */
  window?: number;
  /** Runs the kind on the accepted channel; it owns the channel from here on and closes it when done. */
  start(ctx: KindContext): void;
  /** Called instead of start when the channel is not accepted after all (the session ended meanwhile): free what open() took. */
  cancel?(): void;
}

export interface AssistKindPlugin {
  readonly kind: AssistKind;
  /** Checked before the channel is accepted; never throws for bad input (a refusal says what is wrong). */
  open(req: KindOpenRequest): Promise<KindRefusal | KindStart>;
}

export interface KindContext {
  session: AssistSession;
  channel: Channel;
  params: ChannelParams;
  policy: AssistPolicy;
  /** Appends to the assistance audit log; resolves once the record is on disk. */
  audit(kind: AuditKind, fields: AuditFields): Promise<unknown>;
  /** Traffic on the channel: keeps the session's idle timeout away. */
  touch(): void;
  logger: KindLogger;
}

export const isRefusal = (r: KindRefusal | KindStart): r is KindRefusal => 'refuse' in r;
