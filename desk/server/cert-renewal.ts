import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { DeskConfig } from '../config.js';
import { certFacts, CsrError, issueFromCsr } from '../pki.js';
import type { DeskStore } from '../store/types.js';

/** Validity of renewed certificates when desk.json has no enroll section. */
const DEFAULT_CERT_DAYS = 365;

/**
 * The desk's answer to an agent's `renew`: a new certificate for the key the agent just made, if the request is the
 * agent's own (CN = the connection's certificate CN). The old certificate is not revoked: the agent keeps using it
 * until its next connection, and a terminal that failed to store the new one must still get in.
 */
export async function renewAgentCert(
  d: { config: DeskConfig; store: DeskStore; now: () => Date; logger: Logger },
  agentId: string,
  csrPem: string,
): Promise<{ type: 'renewed'; certPem: string; notAfter: string } | { type: 'renew-refused'; reason: string }> {
  const tls = d.config.tls;
  try {
    const ca = { certPem: readFileSync(tls.caCert, 'utf8'), keyPem: readFileSync(tls.caKey, 'utf8') };
    const issued = await issueFromCsr(ca, csrPem, d.config.enroll?.certDays ?? DEFAULT_CERT_DAYS);
    if (issued.agentId !== agentId) return { type: 'renew-refused', reason: `the request names "${issued.agentId}", this connection is "${agentId}"` };
    const facts = certFacts(issued.certPem);
    d.store.enroll.record({ serial: facts.serial, agentId, via: 'renew', issuedAt: d.now().toISOString(), notAfter: facts.notAfter });
    d.logger.info({ agent: agentId, serial: facts.serial, notAfter: facts.notAfter }, 'agent certificate renewed');
    return { type: 'renewed', certPem: issued.certPem, notAfter: facts.notAfter };
  } catch (err) {
    if (err instanceof CsrError) return { type: 'renew-refused', reason: err.message };
    d.logger.error({ agent: agentId, err: (err as Error).message }, 'certificate renewal failed');
    return { type: 'renew-refused', reason: 'the desk could not sign (see its log)' };
  }
}
