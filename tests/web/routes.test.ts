import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_ROUTES } from '../../agent/web/routes.js';
import { Fixture } from './support.js';

/** docs/api.md is rendered from LOCAL_ROUTES: the server must serve each of them. */

const fx = new Fixture();
afterEach(() => fx.close());

describe('local API routes', () => {
  it('serves every documented route', async () => {
    const t = await fx.agent({ clock: {} });
    const { app } = await fx.injectable(t);
    for (const spec of Object.values(LOCAL_ROUTES)) expect(app.hasRoute({ method: spec.method, url: spec.url }), `${spec.method} ${spec.url}`).toBe(true);
  });
});
