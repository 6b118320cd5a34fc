import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

/**
 * fastify's inject (light-my-request 6.8) encodes request cookies with `cookie`'s stringifySetCookie. package.json's
 * "overrides" gives it cookie 1.1.1 instead of 2.x, which requires Node 22; 1.1.x has the same stringifySetCookie,
 * and this test is what shows the pair still works.
 */
describe('fastify inject with cookies', () => {
  it('sends request cookies and parses the response set-cookie headers', async () => {
    const app = Fastify();
    app.get('/', async (req, reply) => {
      reply.header('set-cookie', ['session=abc; Path=/; HttpOnly', 'lang=zh']);
      return { cookie: req.headers.cookie ?? null };
    });
    try {
      const res = await app.inject({ url: '/', cookies: { a: '1', name: '守望 guard' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ cookie: `a=1; name=${encodeURIComponent('守望 guard')}` });
      expect(res.cookies).toEqual([
        { name: 'session', value: 'abc', path: '/', httpOnly: true },
        { name: 'lang', value: 'zh' },
      ]);
    } finally {
      await app.close();
    }
  });
});
