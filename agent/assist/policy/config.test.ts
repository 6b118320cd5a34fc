import { describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../checks/all.js';
import { parseConfigText } from '../../core/config/load.js';
import { ConfigError, formatProblem } from '../../core/config/problems.js';
import { FaultCatalogue } from '../../core/faults/catalogue.js';
import { currentPlatform } from '../../platform/index.js';

const opts = { plugins: builtinPlugins, platform: currentPlatform(), faultCodes: new FaultCatalogue(builtinPlugins).codes(), env: {} };
const SITE = '"site": {"fixmedins_code": "P44010600123", "fixmedins_name": "示例大药房", "mdtrtarea_admvs": "440106", "terminalId": "POS-01"}';
const doc = (assist: string) => `{${SITE},\n"checks": {},\n"assist": ${assist}\n}`;

function problems(text: string): string[] {
  try {
    parseConfigText(text, 'test.json', opts);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => formatProblem(p).trim());
    throw err;
  }
  return [];
}

describe('config: the assist section', () => {
  it('defaults: off; diag and forward on, shell off; loopback VNC and RDP; 120 s to answer; no window', () => {
    const cfg = parseConfigText(`{${SITE}, "checks": {}}`, 'test.json', opts);
    expect(cfg.assist).toEqual({
      enabled: false,
      kinds: { diag: true, forward: true, shell: false },
      forwardTargets: ['127.0.0.1:5900', '127.0.0.1:3389'],
      maxDurationMinutes: 60,
      idleTimeoutMinutes: 15,
      maxConcurrentSessions: 1,
      bandwidthBytesPerSecond: 1_048_576,
      consentTimeoutSeconds: 120,
      maintenanceWindows: [],
      shell: {},
    });
  });

  it('a full section loads as written, overnight windows included', () => {
    const cfg = parseConfigText(
      doc('{"enabled": true, "kinds": {"shell": true}, "forwardTargets": ["10.0.0.5:1521", "[::1]:5900"], "maintenanceWindows": [{"name": "sat-night", "days": ["sat"], "from": "22:00", "to": "02:00"}]}'),
      'test.json',
      opts,
    );
    expect(cfg.assist).toMatchObject({ enabled: true, kinds: { diag: true, forward: true, shell: true }, forwardTargets: ['10.0.0.5:1521', '[::1]:5900'] });
    expect(cfg.assist.maintenanceWindows).toEqual([{ name: 'sat-night', days: ['sat'], from: '22:00', to: '02:00' }]);
  });

  it('unknown keys, bad times and unknown days are schema errors with line and column', () => {
    const p = problems(doc('{"enabeld": true,\n "maintenanceWindows": [{"name": "w", "days": ["fri", "fri"], "from": "24:00", "to": "7:00"}]}'));
    expect(p.join('\n')).toMatch(/assist\.enabeld \(line 3, column \d+\).*unknown/);
    expect(p.join('\n')).toMatch(/assist\.maintenanceWindows\[0\]\.from \(line 4, column \d+\)/);
    expect(p.join('\n')).toMatch(/assist\.maintenanceWindows\[0\]\.to \(line 4, column \d+\)/);
    expect(p.join('\n')).toMatch(/assist\.maintenanceWindows\[0\]\.days \(line 4/);
  });

  it('the shell section loads as written; its program and directory must be absolute and its user not root', () => {
    const cfg = parseConfigText(doc('{"shell": {"user": "kiosk", "command": ["/bin/bash", "-l"], "cwd": "/srv"}}'), 'test.json', opts);
    expect(cfg.assist.shell).toEqual({ user: 'kiosk', command: ['/bin/bash', '-l'], cwd: '/srv' });
    const p = problems(doc('{"shell": {"user": "root",\n "command": ["bash"],\n "cwd": "tmp"}}'));
    expect(p).toEqual([
      expect.stringMatching(/^assist\.shell\.user \(line 3, column \d+\): a shell never runs as root/),
      expect.stringMatching(/^assist\.shell\.command\[0\] \(line 4, column \d+\): "bash" is not an absolute path/),
      expect.stringMatching(/^assist\.shell\.cwd \(line 5, column \d+\): "tmp" is not an absolute path/),
    ]);
    expect(problems(doc('{"shell": {"user": "a b"}}')).join('\n')).toMatch(/assist\.shell\.user/);
  });

  it('cross-field rules are located load errors: a window without length, duplicate names, targets that are not one host:port', () => {
    const p = problems(
      doc(
        '{"forwardTargets": ["127.0.0.1:5900",\n "0.0.0.0:5900",\n "*:22", "10.0.0.1:70000"],\n "maintenanceWindows": [{"name": "w", "days": ["mon"], "from": "08:00", "to": "08:00"},\n {"name": "w", "days": ["tue"], "from": "08:00", "to": "09:00"}]}',
      ),
    );
    expect(p).toEqual([
      expect.stringMatching(/^assist\.forwardTargets\[1\] \(line 4, column 2\): "0\.0\.0\.0:5900": the unspecified address/),
      expect.stringMatching(/^assist\.forwardTargets\[2\] \(line 5, column 2\): "\*:22": .*no wildcards/),
      expect.stringMatching(/^assist\.forwardTargets\[3\] \(line 5, column 10\): "10\.0\.0\.1:70000": port 70000/),
      expect.stringMatching(/^assist\.maintenanceWindows\[0\]\.to \(line 6, column \d+\): equals "from" \(08:00\)/),
      expect.stringMatching(/^assist\.maintenanceWindows\[1\]\.name \(line 7, column \d+\): "w" is also the name of window 0/),
    ]);
  });
});
