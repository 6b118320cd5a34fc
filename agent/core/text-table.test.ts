import { describe, expect, it } from 'vitest';
import { displayWidth, renderTable } from './text-table.js';

describe('renderTable', () => {
  it('counts CJK and full-width characters as two columns', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('严重')).toBe(4);
    expect(displayWidth('ＡＢ')).toBe(4);
  });

  it('aligns Chinese and English cells in the same columns, without trailing spaces', () => {
    const table = renderTable(['级别', 'code', 'note'], [['严重', 'DISK_FULL', '磁盘已满'], ['minor', 'X', '']]);
    expect(table.split('\n')).toEqual([
      '级别   code       note',
      '-----  ---------  --------',
      '严重   DISK_FULL  磁盘已满',
      'minor  X',
    ]);
  });
});
