import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../core/config/load.js';
import { isSecret } from '../../core/config/secret.js';
import { FaultCatalogue } from '../../core/faults/catalogue.js';
import { currentPlatform } from '../../platform/index.js';
import { builtinPlugins } from '../all.js';
import { plugin } from './index.js';
import type { TokenConfig } from './schema.js';

const SITE = '"site": {"fixmedins_code": "H44010600001", "fixmedins_name": "示例医院", "mdtrtarea_admvs": "440106", "terminalId": "CA-SRV-01"}';
const opts = (env: NodeJS.ProcessEnv = {}) => ({ plugins: builtinPlugins, platform: currentPlatform(), faultCodes: new FaultCatalogue(builtinPlugins).codes(), env });
const load = (hsm: unknown, env?: NodeJS.ProcessEnv) => parseConfigText(`{${SITE},\n"checks": {"hsm": ${JSON.stringify({ type: 'token', ...(hsm as object) })}}}`, 'test.json', opts(env));

describe('token check configuration through the real loader', () => {
  it('resolves the sign-test PIN to a Secret and leaves it null when not given', () => {
    const cfg = load({ tokens: [{ module: '/opt/hsm/lib/libhsm.so', signTest: { enabled: true, pin: { env: 'HSM_PIN' } } }] }, { HSM_PIN: '4711' });
    const pin = (cfg.checks[0]!.settings as TokenConfig).tokens[0]!.signTest!.pin;
    expect(isSecret(pin)).toBe(true);
    expect((pin as unknown as { reveal(): string }).reveal()).toBe('4711');
    expect(JSON.stringify(cfg.checks[0]!.settings)).not.toContain('4711');

    const plain = load({ tokens: [{ module: '/usr/lib/libcastle.so.1.0.0' }] });
    expect((plain.checks[0]!.settings as TokenConfig).tokens[0]).toMatchObject({ required: true, signTest: { enabled: false, pin: null } });
    expect(plain.checks[0]).toMatchObject({ intervalSeconds: plugin.defaults.intervalSeconds, timeoutSeconds: plugin.defaults.timeoutSeconds });
  });

  it('names the setting when the PIN variable is missing, a key is misspelt or an inline PIN is given', () => {
    expect(() => load({ tokens: [{ module: '/m.so', signTest: { enabled: true, pin: { env: 'NOPE' } } }] })).toThrow(
      /checks\.hsm\.tokens\[0\]\.signTest\.pin.*environment variable NOPE is not set/,
    );
    expect(() => load({ tokens: [{ module: '/m.so', lable: 'x' }] })).toThrow(/checks\.hsm\.tokens\[0\]/);
    expect(() => load({ tokens: [{ module: '/m.so', signTest: { pin: '123456' } }] })).toThrow(/checks\.hsm\.tokens\[0\]\.signTest\.pin/);
  });

  // Issue 19, item 5: what the probe would refuse at start is a config error, with path, line and column.
  it('refuses a sign test without a PIN at load, naming the token and where it is', () => {
    expect(() => load({ tokens: [{ module: '/opt/hsm/lib/libhsm.so' }, { module: '/opt/hsm/lib/libhsm.so', label: 'B', signTest: { enabled: true } }] })).toThrow(
      /checks\.hsm\.tokens\[1\]\.signTest \(line 2, column \d+\): the sign test is enabled but has no pin/,
    );
  });

  it('refuses two tokens that would get the same name, e.g. two on one module without names, at load', () => {
    const twoOnOneModule = { tokens: [{ module: '/usr/lib/libcastle.so.1.0.0' }, { module: '/usr/lib/libcastle.so.1.0.0' }] };
    expect(() => load(twoOnOneModule)).toThrow(/checks\.hsm\.tokens\[1\] \(line 2, column \d+\): tokens\[0\] and tokens\[1\] are both named "libcastle\.so\.1\.0\.0"/);
    expect(() => load({ tokens: [{ module: '/a.so', label: 'GDCA' }, { module: '/b.so', name: 'GDCA' }] })).toThrow(/both named "GDCA"/);
    expect(() => load({ tokens: [{ module: '/usr/lib/libcastle.so.1.0.0', label: 'A' }, { module: '/usr/lib/libcastle.so.1.0.0', label: 'B' }] })).not.toThrow();
  });
});
