import { Ajv } from 'ajv';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { routeOptions } from '../../agent/core/schema/route-spec.js';
import type { Text } from '../../agent/core/text.js';
import type { DeskConfig } from '../config.js';
import { certFacts, CsrError, issueFromCsr } from '../pki.js';
import type { RedeemRefusal } from '../store/sqlite-enroll.js';
import type { DeskStore } from '../store/types.js';
import { TokenBucket } from '../server/token-bucket.js';
import { ENROLL_ROUTES } from './enroll-routes.js';

const REFUSALS: Record<RedeemRefusal, { error: string; message: Text }> = {
  unknown: { error: 'unknown-code', message: { zh: '注册码不存在，请核对或向服务台重新申请', en: 'no such enrollment code: check it, or ask the desk for a new one' } },
  used: { error: 'used-code', message: { zh: '注册码已被使用过，每个注册码只能使用一次', en: 'this enrollment code was used already; each code works once' } },
  expired: { error: 'expired-code', message: { zh: '注册码已过期，请向服务台重新申请', en: 'this enrollment code has expired; ask the desk for a new one' } },
  'other-site': { error: 'other-site', message: { zh: '终端编号不属于该注册码对应的机构', en: "the agent id does not belong to the code's site" } },
};

export interface EnrollServerDeps {
  store: DeskStore;
  config: DeskConfig & { enroll: NonNullable<DeskConfig['enroll']> };
  now: () => Date;
  logger: Logger;
}

/**
 * Where terminals enroll: one route, HTTPS with the desk's server certificate (the terminal checks it against the
 * pin it was given), no client certificate (it has none yet). A code is the credential: single use, expiring, scoped
 * to a site; attempts are limited per source address, so codes cannot be found by trying.
 */
export async function startEnrollServer(d: EnrollServerDeps): Promise<{ app: FastifyInstance; port: number }> {
  const tls = d.config.tls;
  const app = Fastify({ https: { key: readFileSync(tls.key), cert: readFileSync(tls.cert) }, logger: false, bodyLimit: 16 * 1024 });
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: false, allErrors: false, strict: false });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const buckets = new Map<string, TokenBucket>();
  const perMinute = d.config.enroll.attemptsPerMinute;
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) d.logger.error({ err: err.message }, 'enrollment failed');
    return reply.code(status).send({ error: 'bad-request', message: { zh: `请求无效：${err.message}`, en: `bad request: ${err.message}` } });
  });
  app.route({
    ...routeOptions(ENROLL_ROUTES.enroll),
    handler: async (req, reply) => {
      const from = req.socket.remoteAddress ?? '?';
      const now = d.now();
      let bucket = buckets.get(from);
      if (!bucket) buckets.set(from, (bucket = new TokenBucket(perMinute / 60, perMinute, now.getTime())));
      if (buckets.size > 10_000) buckets.clear(); // bounded: a scan from many addresses costs memory only this far
      if (!bucket.tryTake(1, now.getTime())) {
        return reply.code(429).send({ error: 'rate-limited', message: { zh: '尝试过于频繁，请一分钟后再试', en: 'too many attempts from this address; try again in a minute' } });
      }
      const body = req.body as { code: string; csr: string };
      // Checked before a certificate is signed: a wrong code costs the desk no signature.
      const known = d.store.enroll.lookup(body.code);
      if (!known) return refuse(reply, 'unknown', from);
      let issued: { agentId: string; certPem: string };
      try {
        issued = await issueFromCsr({ certPem: readFileSync(tls.caCert, 'utf8'), keyPem: readFileSync(tls.caKey, 'utf8') }, body.csr, d.config.enroll.certDays);
      } catch (err) {
        if (!(err instanceof CsrError)) throw err;
        return reply.code(400).send({ error: 'bad-request', message: { zh: `证书请求无效：${err.message}`, en: err.message } });
      }
      const facts = certFacts(issued.certPem);
      const r = d.store.enroll.redeem(body.code, issued.agentId, from, now.toISOString(), { serial: facts.serial, issuedAt: now.toISOString(), notAfter: facts.notAfter });
      if ('refused' in r) return refuse(reply, r.refused, from, issued.agentId);
      d.logger.info({ agent: issued.agentId, site: r.site, from, serial: facts.serial }, 'agent enrolled');
      return reply.code(201).send({ agentId: issued.agentId, certPem: issued.certPem, caPem: readFileSync(tls.caCert, 'utf8'), notAfter: facts.notAfter });
    },
  });
  const refuse = (reply: { code(n: number): { send(b: unknown): unknown } }, why: RedeemRefusal, from: string, agent?: string) => {
    d.logger.warn({ from, agent, refused: why }, 'enrollment refused');
    return reply.code(403).send(REFUSALS[why]);
  };
  await app.listen({ host: d.config.enroll.host, port: d.config.enroll.port });
  return { app, port: (app.server.address() as AddressInfo).port };
}
