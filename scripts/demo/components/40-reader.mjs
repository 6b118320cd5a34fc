// Demo part: an emulated serial card reader (`guardpost emulate-reader --pair`, a socat pty pair that behaves like a
// USB-serial reader) watched by a reader check in bridge mode. Pull it out and watch READER_NOT_FOUND appear on the
// page and in `guardpost status` within 2 s; plug it back and watch it resolve:
//   echo unplug > .tmp/demo/40-reader/control        echo replug > .tmp/demo/40-reader/control
// (or kill -USR1 <emulator pid>, which toggles). Also: "hw on", "fw D8-V9.99", "noresponse on", "badbcc on", "clear".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function setup({ root, dir }) {
  if (process.platform !== 'linux' || spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) {
    console.log('demo: 40-reader skipped (needs Linux and socat: apt-get install socat)');
    return null;
  }
  const device = join(dir, 'ttyUSB-reader');
  const control = join(dir, 'control');
  const log = openSync(join(dir, 'emulator.log'), 'a');
  const emulator = spawn(
    process.execPath,
    [join(root, 'bin', 'guardpost.js'), 'emulate-reader', '--pair', '--port', device, '--control', control, '--firmware', 'D8-V3.20'],
    { cwd: root, stdio: ['ignore', log, log] },
  );
  const deadline = Date.now() + 15_000;
  while (!existsSync(device) || !existsSync(control)) {
    if (emulator.exitCode !== null) throw new Error(`the reader emulator exited (${emulator.exitCode}); see ${join(dir, 'emulator.log')}`);
    if (Date.now() > deadline) throw new Error(`the reader emulator did not create ${device}`);
    await sleep(50);
  }
  const bridgePath = join(dir, 'reader0');
  return {
    checks: {
      'reader-counter1': {
        type: 'reader',
        mode: 'serial-bridge',
        name: '收费窗口读卡器 (emulated)',
        port: device,
        // socat keeps its own ptys open, so "is someone else using the port" can only be told by the lock here.
        serial: { inUseCheck: 'lock' },
        bridge: { path: bridgePath, idleProbeSeconds: 5 },
        allowedFirmware: ['D8-V3.20'],
        intervalSeconds: 1,
        raiseAfter: 1,
        clearAfter: 1,
      },
    },
    notes: [
      `card reader: emulator pid ${emulator.pid} on ${device}; the settlement software would open the bridge at ${bridgePath}`,
      `pull the reader out: echo unplug > ${control}   (back: echo replug > ${control}; or kill -USR1 ${emulator.pid} to toggle)`,
      `more reader faults: echo "hw on" > ${control} or echo "noresponse on" > ${control} (seen at the next idle-line probe, ≤ 5 s), echo "fw D8-V9.99" > ${control} (asked after a replug), echo clear > ${control}`,
    ],
    async stop() {
      if (emulator.exitCode !== null) return;
      const exited = new Promise((resolve) => emulator.once('exit', resolve));
      emulator.kill('SIGTERM');
      await Promise.race([exited, sleep(3000).then(() => emulator.kill('SIGKILL'))]);
    },
  };
}
