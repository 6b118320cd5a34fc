import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// End-to-end, the built `guardpost` on real config files: a secret written inline and credentials in a proxy URL are
// refused with path, line and column (exit 78), and never echoed, by `config validate`, `check` or `run`.
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'guardpost.js');
const tmp = mkdtempSync(join(tmpdir(), 'gp-cli-secrets-'));
const SITE = { fixmedins_code: 'P44010600123', fixmedins_name: '示例大药房', mdtrtarea_admvs: '440106', terminalId: 'POS-01' };
const SECRET = 'Hunter2-Pa55';

function guardpost(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function writeConfig(name: string, doc: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/agent/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
});

const settlement = (proxy: Record<string, unknown>) => ({
  endpoints: [{ name: 'hsa', url: 'https://hsa.example.gov.cn/' }],
  proxy: { mode: 'config', ...proxy },
});

describe('guardpost and secrets in the config file', () => {
  it('an inline password and credentials in proxy URLs: exit 78, every place located, the secret shown nowhere', () => {
    const file = writeConfig('inline.json', {
      site: SITE,
      checks: { settlement: settlement({ url: `http://gp:${SECRET}@10.0.0.1:3128` }) },
      desk: { proxy: { url: 'http://10.0.0.1:3128', username: 'gp', password: SECRET } },
      storage: { dir: join(tmp, 'state') },
    });
    for (const args of [['config', 'validate', file], ['check', '--config', file], ['run', '--config', file]]) {
      const r = guardpost(args);
      expect(r.code, args.join(' ')).toBe(78);
      expect(r.out + r.err, args.join(' ')).not.toContain(SECRET);
      expect(r.err).toMatch(/checks\.settlement\.proxy\.url \(line 18, column 16\): credentials in a proxy URL are refused \("http:\/\/\*\*\*@10\.0\.0\.1:3128"\)/);
      expect(r.err).toContain('checks.settlement.proxy.username and the password in checks.settlement.proxy.password');
      expect(r.err).toMatch(/desk\.proxy\.password \(line 26, column 19\): expected secret reference \{"env": NAME\} or \{"file": PATH\}, got a string \(not shown/);
    }
  });

  it('desk.proxy.url with user:password@ is refused (not silently ignored), pointing at username and password', () => {
    const file = writeConfig('desk-url.json', { site: SITE, checks: {}, desk: { proxy: { url: `http://gp:${SECRET}@10.0.0.1:3128` } } });
    const r = guardpost(['config', 'validate', file]);
    expect(r.code).toBe(78);
    expect(r.out + r.err).not.toContain(SECRET);
    expect(r.err).toMatch(/desk\.proxy\.url \(line \d+, column \d+\): credentials in a proxy URL are refused \("http:\/\/\*\*\*@10\.0\.0\.1:3128"\)/);
    expect(r.err).toContain('the user name in desk.proxy.username and the password in desk.proxy.password as {"env": NAME} or {"file": PATH}');
  });

  it('the same settings with the password from the environment or an owner-only file validate', () => {
    const pwFile = join(tmp, 'proxy-pw');
    writeFileSync(pwFile, `${SECRET}\n`);
    chmodSync(pwFile, 0o600);
    const file = writeConfig('good.json', {
      site: SITE,
      checks: { settlement: settlement({ url: 'http://10.0.0.1:3128', username: 'gp', password: { file: pwFile } }) },
      desk: { proxy: { url: 'http://10.0.0.1:3128', username: 'gp', password: { env: 'GP_PROXY_PW' } } },
    });
    const r = guardpost(['config', 'validate', file], { GP_PROXY_PW: SECRET });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(SECRET);
  });
});
