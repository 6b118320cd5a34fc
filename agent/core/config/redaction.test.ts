import { describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../checks/all.js';
import { currentPlatform } from '../../platform/index.js';
import { FaultCatalogue } from '../faults/catalogue.js';
import { parseConfigText } from './load.js';
import { ConfigError, formatProblem } from './problems.js';

// A value written where a secret belongs, and the credentials of a URL, never appear in a config message; credentials
// in a proxy URL are refused at load with the setting's line and column.

const opts = { plugins: builtinPlugins, platform: currentPlatform(), faultCodes: new FaultCatalogue(builtinPlugins).codes(), env: {} };
const SITE = '"site": {"fixmedins_code": "P44010600123", "fixmedins_name": "示例大药房", "mdtrtarea_admvs": "440106", "terminalId": "POS-01"}';
const HIDDEN = "not shown: this is a secret's setting";

function problems(text: string): string[] {
  try {
    parseConfigText(text, 'test.json', opts);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => formatProblem(p).trim());
    throw err;
  }
  return [];
}

const settlement = (proxy: unknown) =>
  `{${SITE},\n"checks": {"settlement": {"endpoints": [{"name": "hsa", "url": "https://hsa.example.gov.cn/"}],\n "proxy": ${JSON.stringify(proxy)}}}}`;

describe('config messages never show a value written at a secret’s setting', () => {
  const cases: [string, string, string][] = [
    ['desk.proxy.password inline', `{${SITE},\n"checks": {},\n"desk": {"proxy": {"url": "http://10.0.0.1:3128", "username": "gp", "password": "hunter2"}}}`, 'desk.proxy.password (line 3, column 81)'],
    ['desk.keyPassphrase inline', `{${SITE},\n"checks": {},\n"desk": {"keyPassphrase": "hunter2"}}`, 'desk.keyPassphrase (line 3, column 27)'],
    ['a check proxy password inline (a union with null)', settlement({ mode: 'config', url: 'http://10.0.0.1:3128', username: 'gp', password: 'hunter2' }), 'checks.settlement.proxy.password'],
    [
      'a token PIN inline',
      `{${SITE},\n"checks": {"hsm": {"type": "token", "tokens": [{"module": "/x.so", "signTest": {"enabled": true, "pin": "hunter2"}}]}}}`,
      'checks.hsm.tokens[0].signTest.pin',
    ],
    ['a PKCS#12 password inline', `{${SITE},\n"checks": {"cert": {"files": ["/a.pem"], "pkcs12": [{"path": "/a.p12", "password": "hunter2"}]}}}`, 'checks.cert.pkcs12[0].password'],
    ['the password where the variable name goes', `{${SITE},\n"checks": {},\n"desk": {"keyPassphrase": {"env": "hunter2 !"}}}`, 'desk.keyPassphrase.env'],
    ['a number where the secret goes', `{${SITE},\n"checks": {},\n"desk": {"keyPassphrase": 20240101}}`, 'desk.keyPassphrase'],
  ];
  for (const [name, text, where] of cases) {
    it(name, () => {
      const got = problems(text);
      expect(got.join('\n')).not.toMatch(/hunter2|20240101/);
      expect(got.find((p) => p.startsWith(where)), got.join('\n')).toContain(HIDDEN);
    });
  }
});

describe('credentials in a proxy URL are refused at load, with line and column, never echoed', () => {
  it('desk.proxy.url', () => {
    const got = problems(`{${SITE},\n"checks": {},\n"desk": {"proxy": {"url": "http://gp:hunter2@10.0.0.1:3128"}}}`);
    expect(got).toEqual([
      'desk.proxy.url (line 3, column 27): credentials in a proxy URL are refused ("http://***@10.0.0.1:3128"): a password in the config file is no secret. ' +
        'Write the URL without them, the user name in desk.proxy.username and the password in desk.proxy.password as {"env": NAME} or {"file": PATH} ' +
        "(a file only the agent's user can read)",
    ]);
  });

  it('every check’s proxy.url (settlement, certserver), in any mode, as the only problem there', () => {
    for (const mode of ['config', 'env']) {
      const got = problems(settlement({ mode, url: 'http://gp:hunter2@10.0.0.1:3128' }));
      expect(got).toHaveLength(1);
      expect(got[0]).toMatch(/^checks\.settlement\.proxy\.url \(line 3, column \d+\): credentials in a proxy URL are refused \("http:\/\/\*\*\*@10\.0\.0\.1:3128"\)/);
      expect(got[0]).toContain('checks.settlement.proxy.username and the password in checks.settlement.proxy.password');
    }
    const certserver = `{${SITE},\n"checks": {"auth": {"type": "certserver", "service": {"name": "auth", "kind": "tcp", "host": "10.0.0.2", "port": 8443},\n "proxy": {"mode": "config", "url": "http://u:p%2Fw@proxy.lan:8080"}}}}`;
    expect(problems(certserver)).toEqual([expect.stringMatching(/^checks\.auth\.proxy\.url \(line 3, column \d+\): credentials in a proxy URL are refused \("http:\/\/\*\*\*@proxy\.lan:8080"\)/)]);
  });

  it('desk.url too: the desk knows the agent by its certificate, and the URL is shown in status and logs', () => {
    expect(problems(`{${SITE},\n"checks": {},\n"desk": {"url": "wss://agent:hunter2@desk.example.com/agent"}}`)).toEqual([
      'desk.url (line 3, column 17): credentials in desk.url are refused ("wss://***@desk.example.com/agent"): the desk knows the agent by its client certificate (desk.certFile, desk.keyFile)',
    ]);
  });

  it('a proxy URL without credentials still loads, with its credentials from username and password', () => {
    expect(problems(settlement({ mode: 'config', url: 'http://10.0.0.1:3128/', username: 'gp' }))).toEqual([]);
    expect(problems(`{${SITE},\n"checks": {},\n"desk": {"proxy": {"url": "http://10.0.0.1:3128", "username": "gp"}}}`)).toEqual([]);
  });
});

describe('URL credentials are hidden in every config message', () => {
  it('in a value the schema refuses', () => {
    const got = problems(`{${SITE},\n"checks": {"settlement": {"endpoints": [{"name": "hsa", "url": "ftp://agent:hunter2@hsa.example.gov.cn/"}]}}}`);
    expect(got).toEqual([
      'checks.settlement.endpoints[0].url (line 2, column 64): expected string: for kind http: the http:// or https:// URL to request, got "ftp://***@hsa.example.gov.cn/"',
    ]);
  });

  it('in any message a rule writes (the ConfigError is the last guard)', () => {
    const err = new ConfigError('x.json', [{ path: 'checks.x', message: 'cannot reach http://gp:hunter2@10.0.0.1:3128/ (socks5://a:b@c also)' }]);
    expect(err.message).not.toMatch(/hunter2|a:b/);
    expect(err.problems[0]!.message).toBe('cannot reach http://***@10.0.0.1:3128/ (socks5://***@c also)');
  });
});
