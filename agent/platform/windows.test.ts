import { describe, expect, it } from 'vitest';
import { createWindowsPlatform, decodeConsoleOutput, parseCsvLine, parseTasklistCsv } from './windows.js';

describe('tasklist CSV parser', () => {
  it('reads name and pid of every row, with quoted commas in the memory column', () => {
    const out =
      '"System Idle Process","0","Services","0","8 K"\r\n' +
      '"SettlementClient.exe","4312","Console","1","123,456 K"\r\n' +
      '"医保客户端.exe","5120","Console","1","9,876 K"\r\n';
    expect(parseTasklistCsv(out)).toEqual([
      { pid: 0, name: 'System Idle Process', commandLine: '' },
      { pid: 4312, name: 'SettlementClient.exe', commandLine: '' },
      { pid: 5120, name: '医保客户端.exe', commandLine: '' },
    ]);
  });

  it('skips the "no tasks" message and malformed rows', () => {
    expect(parseTasklistCsv('信息: 没有运行的任务匹配指定标准。\r\n')).toEqual([]);
    expect(parseTasklistCsv('"bad.exe","notapid","Console","1","1 K"\n"ok.exe","7","Console","1","1 K"')).toEqual([
      { pid: 7, name: 'ok.exe', commandLine: '' },
    ]);
  });

  it('unescapes doubled quotes', () => {
    expect(parseCsvLine('"a ""b""","2",c')).toEqual(['a "b"', '2', 'c']);
  });

  it('decodes GBK console output and UTF-8 output', () => {
    const gbk = Buffer.from([0x22, 0xd2, 0xbd, 0xb1, 0xa3, 0x2e, 0x65, 0x78, 0x65, 0x22]); // "医保.exe" in GBK
    expect(decodeConsoleOutput(gbk)).toBe('"医保.exe"');
    expect(decodeConsoleOutput(Buffer.from('"医保.exe"', 'utf8'))).toBe('"医保.exe"');
  });
});

describe('windows backend (pure parts)', () => {
  it('puts its files under %ProgramData%\\Guardpost and watches the system drive', () => {
    const p = createWindowsPlatform({ ProgramData: 'D:\\PD', SystemDrive: 'C:' });
    expect(p.paths()).toEqual({
      config: 'D:\\PD\\Guardpost\\config.json',
      stateDir: 'D:\\PD\\Guardpost\\state',
      logFile: 'D:\\PD\\Guardpost\\logs\\agent.log',
    });
    expect(p.defaultMounts()).toEqual(['C:\\']);
    expect(p.loadAverage()).toBeNull();
    expect(createWindowsPlatform({}).defaultMounts()).toEqual(['C:\\']);
  });
});

describe('where a bare DLL name is looked for on Windows', () => {
  it('in LoadLibrary\'s order: the program directory, System32, the Windows directory, then PATH (no duplicates)', async () => {
    const { windowsLibrarySearchPath } = await import('./windows.js');
    const dirs = windowsLibrarySearchPath(
      { SystemRoot: 'C:\\Windows', Path: 'C:\\Windows\\system32;"C:\\Program Files\\Feitian\\lib";;C:\\Tools' },
      'C:\\Guardpost\\node.exe',
    );
    expect(dirs).toEqual(['C:\\Guardpost', 'C:\\Windows\\System32', 'C:\\Windows', 'C:\\Program Files\\Feitian\\lib', 'C:\\Tools']);
  });
});
