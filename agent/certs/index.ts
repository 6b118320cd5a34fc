/**
 * The certificate engine: one library every certificate source uses (files: agent/checks/cert; PKCS#11 tokens:
 * agent/checks/token; TLS chains: the settlement probe). See README.md in this folder for the contract.
 */
export { CertificatePolicySchema, resolveCertificatePolicy, POLICY_DEFAULTS, type CertificatePolicy, type ResolvedCertificatePolicy } from './policy.js';
export { inspectCertificates } from './inspect.js';
export { certificateResults, certificateSubject } from './results.js';
export { certificateRules, CERT_REASONS, type CertReason } from './rules.js';
export { CERT_FAULTS } from './faults.js';
export { parseCertificateSource, type ParsedSource } from './source.js';
export { gradeExpiry } from './assess.js';
export { SM2_DEFAULT_ID, type Sm2Id } from './signature.js';
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
