import { describe, expect, it } from 'vitest';
import { Secret } from '../core/config/secret.js';
import { ProbeFailure } from './failure.js';
import { proxyFor, redactUrl, type ProxySettings } from './proxy-choice.js';

const envMode: ProxySettings = { mode: 'env', url: '', username: '', password: null, noProxy: [] };
const secure = { host: 'hsa.example.gov.cn', port: 443, secure: true };
const plain = { host: 'hsa.example.gov.cn', port: 80, secure: false };

describe('proxy choice, env mode', () => {
  it('secure targets: HTTPS_PROXY, https_proxy, then ALL_PROXY, all_proxy (was: no ALL_PROXY for the settlement check)', () => {
    expect(proxyFor(secure, envMode, { HTTPS_PROXY: 'http://a:1', https_proxy: 'http://b:1', ALL_PROXY: 'http://c:1' })).toMatchObject({ host: 'a', source: 'env HTTPS_PROXY' });
    expect(proxyFor(secure, envMode, { https_proxy: 'http://b:1', ALL_PROXY: 'http://c:1' })).toMatchObject({ host: 'b', source: 'env https_proxy' });
    expect(proxyFor(secure, envMode, { ALL_PROXY: 'http://c:3128', HTTP_PROXY: 'http://d:1' })).toMatchObject({ host: 'c', port: 3128, source: 'env ALL_PROXY' });
    expect(proxyFor(secure, envMode, { all_proxy: 'c:8080' })).toMatchObject({ host: 'c', port: 8080, display: 'http://c:8080', source: 'env all_proxy' });
    expect(proxyFor(secure, envMode, { HTTP_PROXY: 'http://d:1' })).toBeNull();
  });

  it('plain http targets: HTTP_PROXY, http_proxy, then ALL_PROXY, never HTTPS_PROXY (was: no ALL_PROXY for the settlement check)', () => {
    expect(proxyFor(plain, envMode, { HTTP_PROXY: 'http://d:1', ALL_PROXY: 'http://c:1' })).toMatchObject({ host: 'd', source: 'env HTTP_PROXY' });
    expect(proxyFor(plain, envMode, { ALL_PROXY: 'http://c:1', HTTPS_PROXY: 'http://a:1' })).toMatchObject({ host: 'c', source: 'env ALL_PROXY' });
    expect(proxyFor(plain, envMode, { HTTPS_PROXY: 'http://a:1' })).toBeNull();
  });

  it('NO_PROXY (else no_proxy) and the configured noProxy both send a target direct', () => {
    expect(proxyFor(secure, envMode, { HTTPS_PROXY: 'http://a:1', NO_PROXY: '.gov.cn' })).toBeNull();
    expect(proxyFor(secure, envMode, { HTTPS_PROXY: 'http://a:1', no_proxy: 'example.gov.cn' })).toBeNull();
    expect(proxyFor(secure, envMode, { HTTPS_PROXY: 'http://a:1', NO_PROXY: 'other.example', no_proxy: 'example.gov.cn' })).toMatchObject({ host: 'a' });
    expect(proxyFor(secure, { ...envMode, noProxy: ['hsa.example.gov.cn'] }, { HTTPS_PROXY: 'http://a:1' })).toBeNull();
    expect(proxyFor({ host: '10.44.0.10', port: 8080, secure: false }, envMode, { ALL_PROXY: 'http://a:1', NO_PROXY: '10.44.0.0/16' })).toBeNull();
  });

  it('credentials in the URL are decoded and kept out of JSON and evidence', () => {
    const route = proxyFor(secure, envMode, { HTTPS_PROXY: 'http://a%40b:p%3Aw0rd@[fd00::1]:8080' })!;
    expect(route).toMatchObject({ host: 'fd00::1', port: 8080, display: 'http://[fd00::1]:8080', username: 'a@b', password: 'p:w0rd' });
    expect(JSON.stringify(route)).not.toContain('w0rd');
    expect(Object.keys(route)).not.toContain('password');
  });

  it('only http:// proxies: anything else fails as proxy_unreachable naming the variable, never the password', () => {
    let thrown: unknown;
    try {
      proxyFor(secure, envMode, { ALL_PROXY: 'socks5://u:hunter2@socks.lan:1080' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ProbeFailure);
    expect(thrown).toMatchObject({ reason: 'proxy_unreachable', evidence: { error: 'UNSUPPORTED_PROXY_SCHEME', proxySource: 'env ALL_PROXY' } });
    expect((thrown as Error).message).toBe('env ALL_PROXY uses socks5://; only http:// CONNECT proxies are supported');
    expect(() => proxyFor(secure, envMode, { HTTPS_PROXY: 'http://u:hunter2@bad host:1' })).toThrow('env HTTPS_PROXY: "http://***@bad host:1" is not a URL');
  });
});

describe('proxy choice, config mode', () => {
  const config = (over: Partial<ProxySettings> = {}): ProxySettings => ({ mode: 'config', url: 'http://10.0.0.1:3128', username: '', password: null, noProxy: [], ...over });

  it('uses the configured proxy whatever the environment says, unless noProxy names the target', () => {
    expect(proxyFor(secure, config(), { HTTPS_PROXY: 'http://other:1' })).toMatchObject({ host: '10.0.0.1', port: 3128, source: 'config' });
    expect(proxyFor(secure, config({ noProxy: ['.gov.cn'] }), {})).toBeNull();
    expect(proxyFor(secure, config({ url: '' }), { HTTPS_PROXY: 'http://other:1' })).toBeNull();
    expect(proxyFor(secure, config(), {}, 'config desk.proxy')).toMatchObject({ source: 'config desk.proxy' });
  });

  it('credentials come from username and password (a Secret) only', () => {
    const route = proxyFor(secure, config({ username: 'guardpost', password: new Secret('s3cret', 'env GP') }), {})!;
    expect(route).toMatchObject({ username: 'guardpost', password: 's3cret' });
    expect(JSON.stringify(route)).not.toContain('s3cret');
    expect(proxyFor(secure, config({ username: 'u' }), {})).toMatchObject({ username: 'u', password: '' });
  });

  it('a config URL with credentials is refused, never used silently (the loader refuses it too), without echoing them', () => {
    for (const over of [{}, { username: 'guardpost', password: new Secret('s3cret', 'env GP') }]) {
      let thrown: unknown;
      try {
        proxyFor(secure, config({ url: 'http://x:hunter2@10.0.0.1:3128', ...over }), {}, 'config desk.proxy');
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ProbeFailure);
      expect(thrown).toMatchObject({ reason: 'proxy_unreachable', evidence: { error: 'PROXY_URL_CREDENTIALS', proxySource: 'config desk.proxy' } });
      expect((thrown as Error).message).toContain('"http://***@10.0.0.1:3128"');
      expect(JSON.stringify(thrown) + String((thrown as Error).message)).not.toMatch(/hunter2|x:/);
    }
  });

  it('mode none is always direct', () => {
    expect(proxyFor(secure, { ...config(), mode: 'none' }, { HTTPS_PROXY: 'http://a:1' })).toBeNull();
  });
});

describe('redactUrl', () => {
  it('hides the user info, with or without a scheme', () => {
    expect(redactUrl('http://user:pw@proxy:3128')).toBe('http://***@proxy:3128');
    expect(redactUrl('user:pw@proxy:3128')).toBe('***@proxy:3128');
    expect(redactUrl('http://user:p/w#d@proxy:3128')).toBe('http://***@proxy:3128'); // an unencoded "/" or "#" too
    expect(redactUrl('http://proxy:3128')).toBe('http://proxy:3128');
  });
});
