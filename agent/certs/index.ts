/**
 * The certificate engine: one library every certificate source uses (files: agent/checks/cert; PKCS#11 tokens:
 * agent/checks/token; TLS chains: the settlement probe). See README.md in this folder for the contract.
 */
export { CertificatePolicySchema, resolveCertificatePolicy, POLICY_DEFAULTS, type CertificatePolicy, type ResolvedCertificatePolicy } from './policy.js';
import type { inspectCertificates as Inspect } from './inspect.js';
import type { parseCertificateSource as Parse } from './source.js';

// The parsers behind these two (pkijs, @peculiar/x509, sm-crypto, node-forge) cost about 40 MB of RSS: they load on
// first use, so an agent that watches no certificate never pays for them (bench/agent-memory).
export async function inspectCertificates(...args: Parameters<typeof Inspect>): ReturnType<typeof Inspect> {
  return (await import('./inspect.js')).inspectCertificates(...args);
}
export async function parseCertificateSource(...args: Parameters<typeof Parse>): Promise<ReturnType<typeof Parse>> {
  return (await import('./source.js')).parseCertificateSource(...args);
}
export { certificateResults, certificateSubject } from './results.js';
export { certificateRules, CERT_REASONS, type CertReason } from './rules.js';
export { CERT_FAULTS } from './faults.js';
export type { ParsedSource } from './source.js';
export { gradeExpiry } from './assess.js';
export { SM2_DEFAULT_ID, type Sm2Id } from './sm2-id.js';
export {
  CHAIN_ERRORS,
  CERT_ROLES,
  INVALID_REASONS,
  VERDICTS,
  type CertificateInput,
  type CertificateReport,
  type CertificateRole,
  type ChainError,
  type ChainLink,
  type ChainReport,
  type Finding,
  type InspectContext,
  type InspectInput,
  type InvalidReason,
  type RevocationReport,
  type RevocationSourceReport,
  type SourceProblem,
  type Verdict,
} from './types.js';
