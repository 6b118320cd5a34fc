import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import { createLogger } from './logger.js';
import { REDACTED_KEYS } from './redaction.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guardpost-log-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
}

describe('createLogger', () => {
  it('creates the log directory and writes one JSON object per line', () => {
    const file = join(dir, 'nested', 'deeper', 'agent.log');
    const logger = createLogger({ level: 'info', file, maxSizeMB: 1, maxFiles: 2, stdout: false });
    logger.info({ checkId: 'disk' }, 'hello');
    logger.debug('not at this level');
    logger.warn('中文消息');
    const parsed = lines(file).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ level: 30, msg: 'hello', checkId: 'disk' });
    expect(parsed[1]).toMatchObject({ level: 40, msg: '中文消息' });
    expect(typeof parsed[0]?.time).toBe('string');
  });

  it('rotates at the size limit and keeps maxFiles rotated files, every line valid JSON, none lost', () => {
    const file = join(dir, 'agent.log');
    const maxBytes = 4096;
    const logger = createLogger({ level: 'info', file, maxSizeMB: maxBytes / 1024 / 1024, maxFiles: 3, stdout: false });
    const total = 400;
    for (let i = 0; i < total; i++) logger.info({ i, pad: 'x'.repeat(i % 50) }, `line ${i}`);

    const names = readdirSync(dir).sort();
    expect(names).toEqual(['agent.log', 'agent.log.1', 'agent.log.2', 'agent.log.3']);
    for (const name of names) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(maxBytes);

    // newest lines in agent.log, older in .1, .2, .3; consecutive without gaps
    const seen = ['agent.log.3', 'agent.log.2', 'agent.log.1', 'agent.log']
      .flatMap((name) => lines(join(dir, name)))
      .map((line) => (JSON.parse(line) as { i: number }).i);
    expect(seen.at(-1)).toBe(total - 1);
    seen.forEach((i, k) => {
      if (k > 0) expect(i).toBe(seen[k - 1]! + 1);
    });
    // the older lines were rotated away
    expect(seen[0]).toBeGreaterThan(0);
  });

  it('continues an existing log file and counts its size toward rotation', () => {
    const file = join(dir, 'agent.log');
    const first = createLogger({ level: 'info', file, maxSizeMB: 2048 / 1024 / 1024, maxFiles: 1, stdout: false });
    for (let i = 0; i < 15; i++) first.info({ i }, 'before restart');
    const sizeBefore = statSync(file).size;
    expect(existsSync(`${file}.1`)).toBe(false);
    const second = createLogger({ level: 'info', file, maxSizeMB: 2048 / 1024 / 1024, maxFiles: 1, stdout: false });
    for (let i = 0; i < Math.ceil((2048 - sizeBefore) / 50) + 1; i++) second.info({ i }, 'after restart');
    expect(existsSync(`${file}.1`)).toBe(true);
  });

  it('never writes secret values: redacted keys at any supported depth, and Secret objects', () => {
    const file = join(dir, 'agent.log');
    const logger = createLogger({ level: 'trace', file, maxSizeMB: 1, maxFiles: 1, stdout: false });
    const value = (n: number | string): string => `S3CRET-${n}-VALUE`;
    let n = 0;
    for (const key of REDACTED_KEYS) {
      logger.info({ [key]: value(n++) }, 'top level');
      logger.info({ a: { [key]: value(n++) } }, 'depth 1');
      logger.info({ a: { b: { c: { d: { [key]: value(n++) } } } } }, 'depth 4');
      logger.info({ list: [{ [key]: value(n++) }] }, 'in an array');
    }
    const secret = new Secret(value('obj'), 'env TEST');
    logger.info({ proxy: { user: 'u', credential: secret }, plain: secret }, 'secret object');
    logger.info(`interpolated ${secret}`);
    logger.info('formatted %s %o %j', secret, { s: secret }, { s: secret });
    logger.error({ err: new Error('failure'), config: { nested: { pin: value('pin') } } }, 'with error');

    const content = readFileSync(file, 'utf8');
    expect(content).not.toContain('S3CRET');
    expect(content).toContain('[redacted]');
    for (const line of lines(file)) expect(() => JSON.parse(line)).not.toThrow();
    const parsed = lines(file).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.find((l) => l.msg === 'secret object')).toMatchObject({ plain: '[redacted]', proxy: { user: 'u', credential: '[redacted]' } });
    expect(parsed.find((l) => l.msg === 'top level' && 'pin' in l)).toMatchObject({ pin: '[redacted]' });
  });

  it('writes the same redacted JSON lines to stdout and the file when both are on', () => {
    const file = join(dir, 'agent.log');
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const script = [
      `import { createLogger } from ${JSON.stringify(new URL('./logger.ts', import.meta.url).href)};`,
      `const logger = createLogger({ level: 'info', file: ${JSON.stringify(file)}, maxSizeMB: 1, maxFiles: 1, stdout: true });`,
      `logger.info({ password: 'S3CRET-stdout' }, 'to both');`,
    ].join('\n');
    const stdout = execFileSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(stdout).not.toContain('S3CRET');
    const fromStdout = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(fromStdout).toEqual([expect.objectContaining({ msg: 'to both', password: '[redacted]' })]);
    expect(lines(file).map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual(fromStdout);
  });

  it('with neither file nor stdout logs nothing and does not fail', () => {
    const logger = createLogger({ level: 'info', file: null, maxSizeMB: 1, maxFiles: 1, stdout: false });
    expect(() => logger.info('nothing')).not.toThrow();
  });
});
