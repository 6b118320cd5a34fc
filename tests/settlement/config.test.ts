import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../agent/checks/all.js';
import { buildConfig } from '../../agent/core/config/load.js';
import { FaultCatalogue } from '../../agent/core/faults/catalogue.js';
import { currentPlatform } from '../../agent/platform/index.js';
import { settlementProbe, SITE } from './support/run.js';

const create = (endpoints: Record<string, unknown>[]) => () => settlementProbe({ endpoints });

describe('settlement config errors name the setting', () => {
  it('kind-specific settings that are missing', () => {
    expect(create([{ name: 'p' }])).toThrow('checks.test.endpoints[0] ("p").url: missing; kind "http" needs an http:// or https:// URL');
    expect(create([{ name: 'p', kind: 'tcp', host: '10.0.0.1' }])).toThrow('checks.test.endpoints[0] ("p").port: missing; kind "tcp" needs a port');
    expect(create([{ name: 'p', kind: 'dns' }])).toThrow('checks.test.endpoints[0] ("p").host: missing');
    expect(create([{ name: 'p', url: 'https://x/', trust: { mode: 'pin' } }])).toThrow('("p").trust.pins: empty');
  });

  it('a bad regular expression, a duplicate name, an unreadable or empty CA file', () => {
    expect(create([{ name: 'p', url: 'http://x/', bodyMatch: '(unclosed' }])).toThrow(/\("p"\)\.bodyMatch: not a valid regular expression/);
    expect(create([{ name: 'p', url: 'http://x/' }, { name: 'p', url: 'http://y/' }])).toThrow('checks.test.endpoints[1].name: "p" is used twice');
    const missing = join(tmpdir(), 'gp-no-such-ca.pem');
    expect(create([{ name: 'p', url: 'https://x/', trust: { mode: 'caFile', caFile: missing } }])).toThrow(`("p").trust.caFile: cannot read ${missing}: ENOENT`);
    const notPem = join(mkdtempSync(join(tmpdir(), 'gp-ca-')), 'ca.pem');
    writeFileSync(notPem, 'hello');
    expect(create([{ name: 'p', url: 'https://x/', trust: { mode: 'caFile', caFile: notPem } }])).toThrow(`${notPem} holds no PEM certificate`);
  });

  it('the loader rejects unknown keys and bad values inside endpoints, with the path', () => {
    const load = (settlement: Record<string, unknown>) =>
      buildConfig({ site: SITE, checks: { settlement }, storage: { dir: mkdtempSync(join(tmpdir(), 'gp-cfg-')) } }, 'test', {
        plugins: builtinPlugins,
        platform: currentPlatform(),
        faultCodes: new FaultCatalogue(builtinPlugins).codes(),
        env: {},
      });
    expect(() => load({ endpoints: [{ name: 'p', url: 'http://x/', timeout: 5 }] })).toThrow(/checks\.settlement\.endpoints\[0\]/);
    expect(() => load({ endpoints: [{ name: 'p', url: 'ftp://x/' }] })).toThrow(/checks\.settlement\.endpoints\[0\]\.url/);
    expect(() => load({ endpoints: [{ name: 'p', url: 'http://x/' }], proxy: { mode: 'config', url: 'http://u:p@10.0.0.1:3128' } })).toThrow(/checks\.settlement\.proxy\.url/);
    expect(() => load({ endpoints: [{ name: 'p', url: 'http://x/' }], proxy: { password: { env: 'GP_UNSET_VAR' } } })).toThrow(/environment variable GP_UNSET_VAR is not set/);
    expect(load({ endpoints: [{ name: 'p', url: 'http://x/' }] }).checks[0]!.settings).toMatchObject({ signin: { enabled: false }, proxy: { mode: 'env', password: null } });
  });
});
