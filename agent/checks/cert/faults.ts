import { CERT_FAULTS, CERT_REASONS, certificateRules } from '../../certs/index.js';
import type { ProbeResult } from '../../core/checks/result.js';
import type { FaultSignal } from '../../core/faults/types.js';
import type { CertConfig } from './schema.js';

/** The engine's closed reason list: a file source reports nothing the engine does not. */
export const reasons = CERT_REASONS;

/**
 * The certificate faults are catalogued here, once for the whole agent; the token and settlement checks raise the
 * same codes through the engine's rules without defining them again.
 */
export const faults = CERT_FAULTS;

export function rules(result: ProbeResult, config: CertConfig): FaultSignal | null {
  return certificateRules(result, config.policy);
}
