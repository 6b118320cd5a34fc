import type { TSchema } from '../../../../core/schema/type.js';
import type { DiagHeader } from '../header.js';
import type { DiagHost } from '../host.js';

type OkHeader = Extract<DiagHeader, { ok: true }>;

/** What an action answers: the body and how the header describes it, plus the audit's one-line summary. */
export interface DiagAnswer {
  contentType: OkHeader['contentType'];
  body: Buffer;
  fileName?: string;
  summary: string;
}

/** One entry of the fixed allowlist: its args schema (checked before it runs) and what it does. */
export interface DiagAction<A = Record<string, unknown>> {
  name: string;
  args: TSchema;
  run(args: A, host: DiagHost): Promise<DiagAnswer>;
}

/** Arguments that passed the schema but name nothing real (an unknown check id): the channel closes bad_params. */
export class DiagArgsError extends Error {}

export const json = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
