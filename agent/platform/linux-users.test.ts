import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPasswdUsers, parsePasswd } from './linux-users.js';
import { usersFor } from './users.js';

describe('passwd accounts', () => {
  it('parses name, uid, gid, home and shell; skips comments, NIS lines and malformed lines', () => {
    const text = ['root:x:0:0:root:/root:/bin/bash', '# comment', '+nis', 'bad:x:abc:1:::/bin/sh', 'short:x:1', 'kiosk:x:1001:1001:Till,,,:/home/kiosk:', ''].join('\n');
    expect(parsePasswd(text)).toEqual([
      { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' },
      { name: 'kiosk', uid: 1001, gid: 1001, home: '/home/kiosk', shell: '' },
    ]);
  });

  it('looks accounts up by name and uid in the file as it is now', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gp-passwd-')), 'passwd');
    writeFileSync(file, 'a:x:10:20::/h/a:/bin/sh\n');
    const users = createPasswdUsers(file);
    expect(await users.byName('a')).toMatchObject({ uid: 10, gid: 20 });
    expect(await users.byUid(11)).toBeUndefined();
    writeFileSync(file, 'a:x:10:20::/h/a:/bin/sh\nb:x:11:20::/h/b:/bin/sh\n');
    expect((await users.byUid(11))?.name).toBe('b');
  });

  it.runIf(process.platform === 'linux')('finds the real nobody account', async () => {
    expect(await usersFor('linux').byName('nobody')).toMatchObject({ uid: 65534 });
  });

  it('Windows has no backend yet and says so', async () => {
    await expect(usersFor('win32').byName('x')).rejects.toThrow(/not implemented on Windows/);
  });
});
