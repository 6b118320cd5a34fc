import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLinuxPlatform, parseMeminfo, processName, splitCmdline } from './linux.js';

const onLinux = process.platform === 'linux';

describe.runIf(onLinux)('linux backend against the real /proc', () => {
  const platform = createLinuxPlatform();

  it('finds this test process by pid, with its name and command line', async () => {
    const list = await platform.listProcesses();
    const me = list.find((p) => p.pid === process.pid);
    expect(me).toBeDefined();
    expect(me!.name).toBe(path.basename(process.execPath)); // "node"
    expect(me!.commandLine).toContain(process.argv[1] ?? 'node');
    expect(list.length).toBeGreaterThan(1);
  });

  it('sees a child process with a unique argument and loses it after it exits', async () => {
    const marker = `guardpost-platform-test-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', marker], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      const seen = (await platform.listProcesses()).find((p) => p.pid === child.pid);
      expect(seen?.commandLine).toContain(marker);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    expect((await platform.listProcesses()).some((p) => p.commandLine.includes(marker))).toBe(false);
  });

  it('reads memory figures that agree with the os module', async () => {
    const mem = await platform.memoryInfo();
    expect(mem.totalBytes).toBe(os.totalmem());
    expect(mem.availableBytes).toBeGreaterThan(0);
    expect(mem.availableBytes).toBeLessThanOrEqual(mem.totalBytes);
    expect(mem.swapFreeBytes).toBeLessThanOrEqual(mem.swapTotalBytes);
  });

  it('reports three load averages, the CPU count, "/" and the Linux paths', () => {
    const load = platform.loadAverage();
    expect(load).toHaveLength(3);
    for (const v of load!) expect(v).toBeGreaterThanOrEqual(0);
    expect(platform.cpuCount()).toBe(os.availableParallelism());
    expect(platform.defaultMounts()).toEqual(['/']);
    expect(platform.paths()).toEqual({
      config: '/etc/guardpost/config.json',
      stateDir: '/var/lib/guardpost',
      logFile: '/var/log/guardpost/agent.log',
    });
    expect(platform.name).toBe('linux');
  });
});

describe('linux backend with a fake procfs', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('skips processes that vanish and keeps kernel threads with an empty command line', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'gp-proc-'));
    dirs.push(root);
    await mkdir(path.join(root, '1'));
    await writeFile(path.join(root, '1', 'comm'), 'kthreadd\n');
    await writeFile(path.join(root, '1', 'cmdline'), '');
    await mkdir(path.join(root, '42')); // exited between readdir and read: no files
    await mkdir(path.join(root, '77'));
    await writeFile(path.join(root, '77', 'comm'), 'SettlementClien\n');
    await writeFile(path.join(root, '77', 'cmdline'), '/opt/yb/SettlementClient\0--port\0' + '8321\0');
    await mkdir(path.join(root, 'self'));
    const list = await createLinuxPlatform({ procRoot: root }).listProcesses();
    expect(list.sort((a, b) => a.pid - b.pid)).toEqual([
      { pid: 1, name: 'kthreadd', commandLine: '' },
      { pid: 77, name: 'SettlementClient', commandLine: '/opt/yb/SettlementClient --port 8321' },
    ]);
  });
});

describe('linux parsers', () => {
  it('parses meminfo in kB into bytes', () => {
    const mem = parseMeminfo(
      'MemTotal:        8000000 kB\nMemFree:  100 kB\nMemAvailable:    2000000 kB\nSwapTotal: 1000 kB\nSwapFree: 250 kB\n',
    );
    expect(mem).toEqual({
      totalBytes: 8_000_000 * 1024,
      availableBytes: 2_000_000 * 1024,
      swapTotalBytes: 1000 * 1024,
      swapFreeBytes: 250 * 1024,
    });
  });

  it('estimates available memory on kernels before 3.14 (no MemAvailable)', () => {
    const mem = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n');
    expect(mem.availableBytes).toBe(420 * 1024);
    expect(mem.swapTotalBytes).toBe(0);
  });

  it('rejects a meminfo without MemTotal', () => {
    expect(() => parseMeminfo('Garbage: 1 kB\n')).toThrow(/MemTotal/);
  });

  it('splits cmdline at NUL bytes', () => {
    expect(splitCmdline(Buffer.from('java\0-jar\0app.jar\0'))).toEqual(['java', '-jar', 'app.jar']);
    expect(splitCmdline(Buffer.alloc(0))).toEqual([]);
  });

  it('restores a name cut to 15 characters only when argv[0] agrees', () => {
    expect(processName('SettlementClien', '/opt/yb/SettlementClient')).toBe('SettlementClient');
    expect(processName('SettlementClien', 'something-else')).toBe('SettlementClien');
    expect(processName('java', '/usr/bin/javaXYZ')).toBe('java');
    expect(processName('SettlementClien', undefined)).toBe('SettlementClien');
  });
});
