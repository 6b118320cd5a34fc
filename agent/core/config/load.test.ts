import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../checks/all.js';
import { currentPlatform } from '../../platform/index.js';
import { FaultCatalogue } from '../faults/catalogue.js';
import { exampleConfig } from './example.js';
import { buildConfig, embeddedDefaultDocument, loadConfigFile, parseConfigText, type LoadOptions } from './load.js';
import { ConfigError, formatProblem } from './problems.js';
import { Secret } from './secret.js';

const platform = currentPlatform();
const opts = (env: NodeJS.ProcessEnv = {}): LoadOptions => ({
  plugins: builtinPlugins,
  platform,
  faultCodes: new FaultCatalogue(builtinPlugins).codes(),
  env,
});
const dir = mkdtempSync(join(tmpdir(), 'guardpost-config-'));

const SITE = '"site": {"fixmedins_code": "P44010600123", "fixmedins_name": "示例大药房", "mdtrtarea_admvs": "440106", "terminalId": "POS-01"}';

/** Every problem of a config text, formatted as the CLI prints it. */
function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(text, 'test.json', opts(env));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => formatProblem(p).trim());
    throw err;
  }
  return [];
}

describe('config: bad input gets a clear message naming path, expected and actual', () => {
  const cases: [string, string, string[]][] = [
    ['empty file', '', ['(root) (line 1, column 1): invalid JSON: the file is empty']],
    ['trailing comma', `{${SITE},\n "checks": {},\n}`, ['(root) (line 3, column 1): invalid JSON: trailing comma before "}"']],
    ['single quotes', `{${SITE}, "checks": {'disk': {}}}`, [`(root) (line 1, column 137): invalid JSON: expected a key in double quotes, found character "'"`]],
    ['comment', `{\n  // the terminal\n  ${SITE}}`, ['(root) (line 2, column 3): invalid JSON: comments are not allowed in JSON']],
    ['unterminated string', `{"site": {"fixmedins_code": "P4401}`, ['(root) (line 1, column 29): invalid JSON: unterminated string']],
    ['missing site', `{"checks": {}}`, ['site (line 1, column 1): missing; required (the institution and terminal this agent watches; shown on the page and sent to the desk)']],
    ['missing checks', `{${SITE}}`, ['checks (line 1, column 1): missing; required (checks by id (lowercase letters, digits, - and _); the id is the check type unless "type" is given)']],
    [
      'bad institution code',
      `{"site": {"fixmedins_code": "12345", "fixmedins_name": "x", "mdtrtarea_admvs": "440106", "terminalId": "T1"}, "checks": {}}`,
      ['site.fixmedins_code (line 1, column 29): expected string: 定点医药机构编码, a capital letter and 11 digits, e.g. "H44010600001" or "P44010600123", got "12345"'],
    ],
    [
      'missing site field',
      `{"site": {"fixmedins_code": "P44010600123", "fixmedins_name": "x", "terminalId": "T1"}, "checks": {}}`,
      ['site.mdtrtarea_admvs (line 1, column 10): missing; required (就医地医保区划, 6 digits, e.g. "440106")'],
    ],
    [
      'percent as a string',
      `{${SITE},\n"checks": {"disk": {"mounts": [{"path": "/"}, {"path": "/data", "majorPercent": "90%"}]}}}`,
      ['checks.disk.mounts[1].majorPercent (line 2, column 81): expected number 1..100, got "90%"'],
    ],
    ['out of range', `{${SITE},\n"checks": {"disk": {"intervalSeconds": 0}}}`, ['checks.disk.intervalSeconds (line 2, column 40): expected number 1..86400, got 0']],
    [
      'typo in a check key',
      `{${SITE},\n"checks": {"disk": {"mountz": []}}}`,
      ['checks.disk.mountz (line 2, column 21): unknown key "mountz" (did you mean "mounts"?); known keys: type, enabled, intervalSeconds, timeoutSeconds, jitterPercent, raiseAfter, clearAfter, mounts'],
    ],
    [
      'typo at the top level',
      `{${SITE},\n"checks": {},\n"loging": {}}`,
      ['loging (line 3, column 1): unknown key "loging" (did you mean "logging"?); known keys: site, agent, checks, inhibitRules, desk, web, logging, storage, assist'],
    ],
    [
      'unknown check id',
      `{${SITE},\n"checks": {"disc": {}}}`,
      ['checks.disc (line 2, column 20): unknown check id "disc" (no "type" given, and no check type has this name); did you mean "disk"?; known types: ' + builtinPlugins.map((p) => p.type).join(', ')],
    ],
    [
      'unknown check type',
      `{${SITE},\n"checks": {"usbkey": {"type": "pkcs12"}}}`,
      ['checks.usbkey.type (line 2, column 31): unknown check type "pkcs12"; known types: ' + builtinPlugins.map((p) => p.type).join(', ')],
    ],
    [
      'duplicate check id',
      `{${SITE},\n"checks": {\n "disk": {},\n "disk": {"intervalSeconds": 60}}}`,
      ['checks.disk (line 4, column 2): duplicate check id "disk" (first defined at line 3); each check needs its own id'],
    ],
    [
      'duplicate key',
      `{${SITE},\n"checks": {},\n"web": {"port": 8620,\n "port": 8621}}`,
      ['web.port (line 4, column 2): duplicate key "port" (first at line 3); JSON would silently keep only the last'],
    ],
    [
      'check id with spaces',
      `{${SITE},\n"checks": {"Root Disk": {"type": "disk"}}}`,
      ['checks["Root Disk"] (line 2, column 12): "Root Disk" is not a valid name here: expected names matching ^[a-z][a-z0-9_-]{0,63}$'],
    ],
    [
      'thresholds out of order',
      `{${SITE},\n"checks": {"disk": {"mounts": [{"path": "/", "minorPercent": 95, "majorPercent": 90}]}}}`,
      ['checks.disk.mounts[0] (line 2, column 32): ("/"): thresholds must satisfy minorPercent ≤ majorPercent ≤ criticalPercent, got 95 / 90 / 97'],
    ],
    [
      'a setting the mode requires',
      `{${SITE},\n"checks": {"till-reader": {"type": "reader", "mode": "serial-probe"}}}`,
      ['checks.till-reader.port (line 2, column 27): required when mode is "serial-probe" (e.g. "/dev/ttyUSB0")'],
    ],
    ['checks as a list', `{${SITE},\n"checks": [{"id": "disk"}]}`, ['checks (line 2, column 11): expected an object, got an array of 1']],
    [
      'page on all interfaces',
      `{${SITE},\n"checks": {},\n"web": {"host": "0.0.0.0"}}`,
      ['web.host (line 3, column 17): expected string: a loopback address: the page is for this terminal only, got "0.0.0.0"'],
    ],
    ['port out of range', `{${SITE},\n"checks": {},\n"web": {"port": 70000}}`, ['web.port (line 3, column 17): expected whole number 1..65535, got 70000']],
    ['fractional port', `{${SITE},\n"checks": {},\n"web": {"port": 80.5}}`, ['web.port (line 3, column 17): expected whole number 1..65535, got 80.5']],
    [
      'unknown log level',
      `{${SITE},\n"checks": {},\n"logging": {"level": "verbose"}}`,
      ['logging.level (line 3, column 22): expected one of "fatal", "error", "warn", "info", "debug", "trace", got "verbose"'],
    ],
    [
      'desk over plain ws',
      `{${SITE},\n"checks": {},\n"desk": {"url": "ws://desk.example.com"}}`,
      ['desk.url (line 3, column 17): expected string: the desk address, wss:// only, got "ws://desk.example.com"'],
    ],
    [
      'three pins',
      `{${SITE},\n"checks": {},\n"desk": {"pins": ["sha256/${'A'.repeat(43)}=", "sha256/${'B'.repeat(43)}=", "sha256/${'C'.repeat(43)}="]}}`,
      ['desk.pins (line 3, column 18): expected at most 2 items, got 3'],
    ],
    [
      'inline secret',
      `{${SITE},\n"checks": {},\n"desk": {"keyPassphrase": "hunter2"}}`,
      [`desk.keyPassphrase (line 3, column 27): expected secret reference {"env": NAME} or {"file": PATH}, got a string (not shown: this is a secret's setting, and a secret is never written into the config file itself)`],
    ],
    [
      'secret with both sources',
      `{${SITE},\n"checks": {},\n"desk": {"keyPassphrase": {"env": "A", "file": "/b"}}}`,
      ['desk.keyPassphrase (line 3, column 27): expected secret reference {"env": NAME} or {"file": PATH}, got 2 keys'],
    ],
    [
      'secret from an unset variable',
      `{${SITE},\n"checks": {},\n"desk": {"proxy": {"url": "http://10.0.0.1:3128", "password": {"env": "GP_TEST_UNSET"}}}}`,
      ['desk.proxy.password: environment variable GP_TEST_UNSET is not set or empty'],
    ],
    [
      'timeout longer than interval',
      `{${SITE},\n"checks": {"disk": {"intervalSeconds": 10, "timeoutSeconds": 30}}}`,
      ['checks.disk.timeoutSeconds (line 2, column 62): timeout 30 s is longer than the interval 10 s; runs would overlap'],
    ],
    [
      'inhibit rule with an unknown fault code',
      `{${SITE},\n"checks": {},\n"inhibitRules": [{"source": ["DISK_FULL"], "target": ["BACKUP_STALE"], "equal": ["mount"]}]}`,
      ['inhibitRules[0].source[0] (line 3, column 30): unknown fault code "DISK_FULL"; see docs/faults.md'],
    ],
    [
      'desk enabled without what it needs',
      `{${SITE},\n"checks": {},\n"desk": {"enabled": true}}`,
      [
        'desk.url (line 3, column 9): missing; required when desk.enabled is true',
        'desk.caFile (line 3, column 9): missing; the desk must be verified by its CA (caFile) or pinned keys (pins)',
        "desk.certFile (line 3, column 9): missing; required when desk.enabled is true: the agent's client certificate",
        "desk.keyFile (line 3, column 9): missing; required when desk.enabled is true: the agent's private key",
      ],
    ],
  ];

  for (const [name, text, expected] of cases) {
    it(name, () => expect(problems(text)).toEqual(expected));
  }

  it(`has at least 20 distinct bad inputs (${cases.length})`, () => {
    expect(new Set(cases.map((c) => c[2].join())).size).toBeGreaterThanOrEqual(20);
  });

  it('lists every problem at once, in file order', () => {
    const text = `{"site": {"fixmedins_code": "x", "fixmedins_name": "", "mdtrtarea_admvs": "4401", "terminalId": "T1"},\n"checks": {"disk": {"intervalSeconds": "60"}, "nope": {}},\n"web": {"port": -1}}`;
    const got = problems(text);
    expect(got).toHaveLength(6);
    expect(got.map((p) => p.split(' ')[0])).toEqual(['site.fixmedins_code', 'site.fixmedins_name', 'site.mdtrtarea_admvs', 'checks.disk.intervalSeconds', 'checks.nope', 'web.port']);
  });

  it('a file that cannot be read names the file and why', () => {
    expect(() => loadConfigFile(join(dir, 'absent.json'), opts())).toThrow(/cannot read config file: the file does not exist/);
    expect(() => loadConfigFile(dir, opts())).toThrow(/it is a directory, not a file/);
  });
});

describe('config: secrets', () => {
  it('come from the environment and never print', () => {
    const cfg = parseConfigText(
      `{${SITE}, "checks": {}, "desk": {"proxy": {"url": "http://10.0.0.1:3128", "username": "gp", "password": {"env": "GP_PROXY_PW"}}}}`,
      'x',
      opts({ GP_PROXY_PW: 'pa55-w0rd' }),
    );
    const pw = cfg.desk.proxy!.password as unknown as Secret;
    expect(pw).toBeInstanceOf(Secret);
    expect(pw.reveal()).toBe('pa55-w0rd');
    expect(JSON.stringify(cfg)).not.toContain('pa55-w0rd');
    expect(String(pw)).toBe('[redacted]');
  });

  it('from a file only when the file is not readable by group or others', () => {
    const file = join(dir, 'passphrase');
    writeFileSync(file, 's3cret-passphrase\n');
    chmodSync(file, 0o644);
    const text = `{${SITE}, "checks": {}, "desk": {"keyPassphrase": {"file": ${JSON.stringify(file)}}}}`;
    expect(problems(text)).toEqual([`desk.keyPassphrase: secret file ${file} is readable by group or others (mode 0644); run: chmod 600 ${file}`]);
    chmodSync(file, 0o600);
    const cfg = parseConfigText(text, 'x', opts());
    expect((cfg.desk.keyPassphrase as unknown as Secret).reveal()).toBe('s3cret-passphrase');
    expect(problems(text.replace(file, `${file}.missing`))).toEqual([`desk.keyPassphrase: cannot read secret file ${file}.missing: ENOENT`]);
  });

  it('errors name the reference, never a value', () => {
    const err = problems(`{${SITE}, "checks": {}, "desk": {"keyPassphrase": "my-real-passphrase"}}`).join('\n');
    expect(err).toContain('desk.keyPassphrase');
    expect(err).not.toContain('my-real-passphrase'); // not even a value written inline by mistake (redaction.test.ts)
    // …and a resolved secret never is: see the redaction tests of the logger and the status API.
  });
});

describe('config: good input', () => {
  it('fills defaults and derives the agent id', () => {
    const cfg = parseConfigText(`{${SITE}, "checks": {"disk": {}, "root-disk": {"type": "disk", "mounts": [{"path": "/"}]}}}`, 'x', opts());
    expect(cfg.agent).toEqual({ id: 'P44010600123-POS-01', profile: 'terminal' });
    const disk = cfg.checks.find((c) => c.id === 'root-disk')!;
    expect(disk).toMatchObject({ type: 'disk', enabled: true, intervalSeconds: disk.plugin.defaults.intervalSeconds, jitterPercent: 10 });
    expect(disk.settings).toEqual({ mounts: [expect.objectContaining({ path: '/', majorPercent: 90 })] });
    expect(cfg.web).toEqual({ enabled: true, host: '127.0.0.1', port: 8620 });
    expect(cfg.storage.outbox.maxEvents).toBe(10_000);
  });

  it('sections left out get the schema defaults', () => {
    const cfg = parseConfigText(`{${SITE}, "checks": {}}`, 'x', opts());
    expect(cfg.inhibitRules).toEqual([]);
    expect(cfg.desk).toEqual({ enabled: false, renewBeforeDays: 30, unreachable: { minorAfterMinutes: 10, majorAfterMinutes: 240 } });
    expect(cfg.logging).toMatchObject({ level: 'info', file: platform.paths().logFile, maxSizeMB: 10, maxFiles: 5 });
    expect(cfg.storage).toEqual({
      dir: platform.paths().stateDir,
      outbox: { maxEvents: 10_000, maxBytes: 8 * 1024 * 1024 },
      history: { resultsPerCheck: 50, failuresPerCheck: 20 },
      reportMonths: 13,
    });
    // a section given in part keeps what it says and fills the rest
    const partial = parseConfigText(`{${SITE}, "checks": {}, "web": {"port": 8621}, "storage": {"history": {"resultsPerCheck": 7}}}`, 'x', opts());
    expect(partial.web).toEqual({ enabled: true, host: '127.0.0.1', port: 8621 });
    expect(partial.storage.history).toEqual({ resultsPerCheck: 7, failuresPerCheck: 20 });
  });

  it('an inhibit rule whose codes are not a list is a config error, not a crash', () => {
    expect(problems(`{${SITE},\n"checks": {},\n"inhibitRules": [{"source": "DISK_FULL", "target": ["BACKUP_STALE"]}]}`)).toEqual([
      'inhibitRules[0].source (line 3, column 29): expected an array, got "DISK_FULL"',
    ]);
  });

  it('a default timeout follows a shortened interval; an explicit one is checked', () => {
    const cfg = parseConfigText(`{${SITE}, "checks": {"backup": {"directory": "/srv/backup", "intervalSeconds": 20}}}`, 'x', opts());
    expect(cfg.checks[0]).toMatchObject({ intervalSeconds: 20, timeoutSeconds: 20 });
  });

  it('accepts a UTF-8 byte order mark (Windows Notepad)', () => {
    expect(() => parseConfigText(`\uFEFF{${SITE}, "checks": {}}`, 'x', opts())).not.toThrow();
  });

  for (const profile of ['terminal', 'certserver'] as const) {
    it(`the ${profile} example is complete and valid as printed, with an empty environment`, () => {
      const doc = exampleConfig(builtinPlugins, platform, profile);
      const cfg = parseConfigText(JSON.stringify(doc, null, 2), 'example', opts({}));
      expect(cfg.agent.profile).toBe(profile);
      // every plugin shows at least one instance, with every option it has
      for (const p of builtinPlugins) {
        const instance = cfg.checks.find((c) => c.type === p.type);
        expect(instance, p.type).toBeDefined();
      }
      for (const key of ['site', 'agent', 'checks', 'desk', 'web', 'logging', 'storage']) expect(doc).toHaveProperty(key);
    });
  }

  it('the embedded default runs on this machine', () => {
    const cfg = buildConfig(embeddedDefaultDocument(join(dir, 'state')), 'embedded default', opts());
    expect(cfg.checks.map((c) => c.type).sort()).toEqual(['clock', 'disk', 'memory']);
    expect(cfg.storage.dir).toBe(join(dir, 'state'));
  });
});
