import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../core/config/load.js';
import { FaultCatalogue } from '../../core/faults/catalogue.js';
import { currentPlatform } from '../../platform/index.js';
import { testContext } from '../shared/testing.js';
import { builtinPlugins } from '../all.js';
import type { TokenConfig } from './schema.js';
import { testModules, type TestModules } from './test-support/modules.js';
import { runOnce, signal, tokenConfig, tokenContext } from './test-support/probe.js';

let modules: TestModules;
let dir: string;
beforeAll(() => {
  modules = testModules();
  dir = mkdtempSync(path.join(tmpdir(), 'gp-token-loading-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A context whose platform looks for bare module names in `dirs` (the real backends read the loader's path). */
const searching = (dirs: string[]) => tokenContext({ platform: testContext({ platformOverrides: { librarySearchPath: () => dirs } }).platform });

// Issue 19, item 6: a bare module name is found where the dynamic loader finds it, and a miss says where it looked.
describe('a module given by file name alone', () => {
  it('is looked for along the platform\'s library search path, in order', async () => {
    const empty = mkdtempSync(path.join(dir, 'empty-'));
    const [r] = await runOnce(tokenConfig([{ module: 'flags.so', name: 'usbkey' }]), searching([empty, path.dirname(modules.flags)]));
    expect(r).toMatchObject({ status: 'ok', subject: 'usbkey', evidence: { present: true, module: 'flags.so' } });
  });

  it('when it is nowhere, is TOKEN_MODULE_MISSING naming every path tried', async () => {
    const a = mkdtempSync(path.join(dir, 'a-'));
    const b = mkdtempSync(path.join(dir, 'b-'));
    const cfg = tokenConfig([{ module: 'libvendor_p11.so', name: 'usbkey' }]);
    const [r] = await runOnce(cfg, searching([a, b]));
    expect(r).toMatchObject({ reason: 'module_missing', evidence: { tried: `${a}/libvendor_p11.so, ${b}/libvendor_p11.so` } });
    expect(r!.message.en).toContain(`libvendor_p11.so: not found in the library search path (driver not installed?); looked in ${a}, ${b}`);
    expect(signal(r!, cfg)).toEqual({ code: 'TOKEN_MODULE_MISSING', severity: 'critical' });
  });

  it.runIf(existsSync('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so'))(
    'opensc-pkcs11.so loads from the multiarch directory with the real Linux backend (no reader: not present, not missing)',
    async () => {
      const [r] = await runOnce(tokenConfig([{ module: 'opensc-pkcs11.so', name: 'opensc' }]), tokenContext({ platform: currentPlatform() }));
      expect(r!.reason).not.toBe('module_missing');
      expect(r).toMatchObject({ reason: 'token_not_present', evidence: { module: 'opensc-pkcs11.so' } });
    },
  );

  it('a path is used as written: a missing one keeps its own message', async () => {
    const [r] = await runOnce(tokenConfig([{ module: path.join(dir, 'nope.so'), name: 'usbkey' }]), searching([path.dirname(modules.flags)]));
    expect(r).toMatchObject({ reason: 'module_missing', evidence: { error: `${path.join(dir, 'nope.so')}: no such file (driver not installed?)` } });
  });
});

const SITE = '"site": {"fixmedins_code": "H44010600001", "fixmedins_name": "示例医院", "mdtrtarea_admvs": "440106", "terminalId": "CA-SRV-01"}';
const load = (check: unknown, env: NodeJS.ProcessEnv = {}) =>
  parseConfigText(`{${SITE},\n"checks": {"usbkey": ${JSON.stringify({ type: 'token', ...(check as object) })}}}`, 'test.json', {
    plugins: builtinPlugins,
    platform: currentPlatform(),
    faultCodes: new FaultCatalogue(builtinPlugins).codes(),
    env,
  });

// Issue 19, item 11: a module's own variables, from the config, not only the agent's environment.
describe('tokens[].env', () => {
  it('sets the module\'s variables for its load and runs, plain or from a secret, and puts the agent\'s back', async () => {
    const labelFile = path.join(dir, 'serial');
    writeFileSync(labelFile, 'SERIAL-FROM-FILE\n');
    chmodSync(labelFile, 0o600);
    const env = [
      { name: 'GP_TOKEN_LABEL', value: 'label-from-config' },
      { name: 'GP_TOKEN_SERIAL', value: { file: labelFile } },
      { name: 'GP_TOKEN_FLAGS', value: { env: 'AGENT_SIDE_FLAGS' } },
    ];
    const finalTry = `0x${(pkcs11js.CKF_TOKEN_INITIALIZED | pkcs11js.CKF_USER_PIN_INITIALIZED | pkcs11js.CKF_USER_PIN_FINAL_TRY).toString(16)}`;
    const cfg = load({ tokens: [{ module: modules.flags, name: 'usbkey', env }] }, { AGENT_SIDE_FLAGS: finalTry });
    const settings = cfg.checks[0]!.settings as TokenConfig;
    expect(JSON.stringify(settings)).not.toContain('SERIAL-FROM-FILE'); // secrets stay Secrets: "[redacted]"
    process.env.GP_TOKEN_LABEL = 'the agent\'s own';
    try {
      const [r] = await runOnce(settings);
      expect(r).toMatchObject({ reason: 'pin_final_try', evidence: { tokenLabel: 'label-from-config', tokenSerial: 'SERIAL-FROM-FILE' } });
      expect(process.env.GP_TOKEN_LABEL).toBe('the agent\'s own');
      expect(process.env.GP_TOKEN_SERIAL).toBeUndefined();
    } finally {
      delete process.env.GP_TOKEN_LABEL;
    }
  });

  it('refuses at load what cannot work: LD_* variables, a variable set twice, tokens on one module that disagree', () => {
    expect(() => load({ tokens: [{ module: modules.flags, env: [{ name: 'LD_LIBRARY_PATH', value: '/opt/x' }] }] })).toThrow(
      /checks\.usbkey\.tokens\[0\]\.env\[0\]\.name \(line 2, column \d+\): LD_LIBRARY_PATH cannot be set for a module/,
    );
    expect(() => load({ tokens: [{ module: modules.flags, env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }] })).toThrow(/env\[1\]\.name.*A is set twice/);
    const disagree = { tokens: [{ module: modules.flags, label: 'a', env: [{ name: 'CONF', value: '/etc/a' }] }, { module: modules.flags, label: 'b', env: [{ name: 'CONF', value: '/etc/b' }] }] };
    expect(() => load(disagree)).toThrow(/tokens\[1\]\.env\[0\]\.value .*tokens\[0\] sets CONF differently for the same module/);
    const agree = { tokens: [{ module: modules.flags, label: 'a', env: [{ name: 'CONF', value: '/etc/a' }] }, { module: modules.flags, label: 'b', env: [{ name: 'CONF', value: '/etc/a' }] }] };
    expect(() => load(agree)).not.toThrow();
    expect(() => load({ tokens: [{ module: modules.flags, env: [{ name: 'X', value: { env: 'UNSET_VAR' } }] }] })).toThrow(/env\[0\]\.value.*UNSET_VAR is not set/);
  });
});
