#!/usr/bin/env node
/**
 * Builds guardpost_<version>_<arch>.deb: the compiled agent and desk (dist/), their production node_modules with the
 * native modules as built here, and a Node.js runtime of its own (the registry's node-linux-<arch> package), so a
 * terminal needs nothing installed. Layout:
 *   /usr/lib/guardpost/{bin,dist,node_modules,package.json,README.md}   the program (FHS: private, arch-dependent)
 *   /usr/lib/guardpost/runtime/bin/node (+ LICENSE)                       its runtime
 *   /usr/bin/guardpost                                                    runs the program on that runtime
 *   /lib/systemd/system/guardpost.service, guardpost-desk.service
 *   /etc/default/guardpost                                            conffile: the service's environment
 *   /usr/share/lintian/overrides/guardpost                            why a bundled runtime is not a system library
 * node_modules is tidied for lintian (package-tidy.mjs); tests/provisioning runs lintian on the result.
 * Users, directories and the service are set up by DEBIAN/postinst; the config is never shipped or overwritten.
 * Usage: node provisioning/deb/build-deb.mjs [--out DIR]   (npm run package: builds dist/ first). Prints the .deb path.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { notAtRunTime, pruneModules, settleScripts, stripBinaries } from './package-tidy.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
/** The runtime bundled: Node 20 LTS, the ABI the native modules were built for (checked below). */
const RUNTIME_VERSION = '20.20.2';
const ARCHES = { x64: 'amd64', arm64: 'arm64' };

const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'build') } } });

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim().slice(-800)}`);
  return r.stdout;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const nodeArch = process.arch;
const debArch = ARCHES[nodeArch];
if (!debArch) throw new Error(`no package for CPU architecture ${nodeArch}; known: ${Object.keys(ARCHES).join(', ')}`);
if (process.versions.node.split('.')[0] !== RUNTIME_VERSION.split('.')[0]) {
  throw new Error(`the native modules are built by Node ${process.versions.node}, the bundled runtime is ${RUNTIME_VERSION}: build with Node ${RUNTIME_VERSION.split('.')[0]}`);
}
for (const f of ['dist/agent/cli/main.js', 'dist/desk/desk.js']) {
  if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first (npm run package does)`);
}

const PREFIX = '/usr/lib/guardpost';
const MAINTAINER = process.env.GUARDPOST_DEB_MAINTAINER ?? 'Guardpost packaging <packaging@guardpost.example.com>';

const work = mkdtempSync(join(tmpdir(), 'guardpost-deb-'));
const stage = join(work, 'root');
const opt = join(stage, PREFIX.slice(1));
try {
  // The program.
  mkdirSync(opt, { recursive: true });
  for (const item of ['bin', 'dist', 'package.json', 'README.md']) cpSync(join(ROOT, item), join(opt, item), { recursive: true });
  cpSync(join(ROOT, 'desk/README.md'), join(opt, 'desk/README.md'));

  // Production dependencies only, copied from node_modules as built here (native modules included).
  const prod = run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT })
    .split('\n')
    .map((p) => relative(ROOT, p.trim()))
    .filter((p) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(p));
  for (const dir of new Set(prod)) {
    cpSync(join(ROOT, dir), join(opt, dir), {
      recursive: true,
      filter: (src) => !notAtRunTime(relative(ROOT, src), nodeArch),
    });
  }

  // The runtime, from the registry's platform package.
  const packDir = join(work, 'pack');
  mkdirSync(packDir);
  const tgz = run('npm', ['pack', `node-linux-${nodeArch}@${RUNTIME_VERSION}`, '--pack-destination', packDir, '--silent'], { cwd: work }).trim().split('\n').pop();
  run('tar', ['-xzf', join(packDir, tgz), '-C', packDir]);
  mkdirSync(join(opt, 'runtime/bin'), { recursive: true });
  copyFileSync(join(packDir, 'package/bin/node'), join(opt, 'runtime/bin/node'));
  chmodSync(join(opt, 'runtime/bin/node'), 0o755);
  copyFileSync(join(packDir, 'package/LICENSE'), join(opt, 'runtime/LICENSE'));
  pruneModules(join(opt, 'node_modules'));
  stripBinaries(opt, join(opt, 'runtime/bin/node'));
  settleScripts(opt, join(opt, 'runtime/bin/node'));
  const bundled = run(join(opt, 'runtime/bin/node'), ['-p', 'process.versions.modules']).trim();
  if (bundled !== process.versions.modules) throw new Error(`bundled runtime ABI ${bundled} differs from the build's ${process.versions.modules}`);

  // The command, the services, the service environment, the copyright.
  mkdirSync(join(stage, 'usr/bin'), { recursive: true });
  writeFileSync(join(stage, 'usr/bin/guardpost'), `#!/bin/sh\n# Guardpost on its own runtime.\nexec ${PREFIX}/runtime/bin/node ${PREFIX}/bin/guardpost.js "$@"\n`, { mode: 0o755 });
  mkdirSync(join(stage, 'lib/systemd/system'), { recursive: true });
  for (const unit of ['guardpost.service', 'guardpost-desk.service']) copyFileSync(join(ROOT, 'provisioning/systemd', unit), join(stage, 'lib/systemd/system', unit));
  mkdirSync(join(stage, 'etc/default'), { recursive: true });
  copyFileSync(join(HERE, 'default-guardpost'), join(stage, 'etc/default/guardpost'));
  mkdirSync(join(stage, 'usr/share/doc/guardpost'), { recursive: true });
  copyFileSync(join(HERE, 'copyright'), join(stage, 'usr/share/doc/guardpost/copyright'));
  writeFileSync(join(stage, 'usr/share/doc/guardpost/changelog.gz'), gzipSync(changelog(pkg.version), { level: 9 }));
  mkdirSync(join(stage, 'usr/share/lintian/overrides'), { recursive: true });
  copyFileSync(join(HERE, 'lintian-overrides'), join(stage, 'usr/share/lintian/overrides/guardpost'));

  // Control files.
  const debian = join(stage, 'DEBIAN');
  mkdirSync(debian);
  for (const script of ['postinst', 'prerm', 'postrm']) {
    copyFileSync(join(HERE, script), join(debian, script));
    chmodSync(join(debian, script), 0o755);
  }
  writeFileSync(join(debian, 'conffiles'), '/etc/default/guardpost\n');
  const installedKB = Math.ceil(Number(run('du', ['-sk', '--exclude=DEBIAN', stage]).split(/\s/)[0]));
  const version = pkg.version;
  writeFileSync(
    join(debian, 'control'),
    [
      'Package: guardpost',
      `Version: ${version}`,
      `Architecture: ${debArch}`,
      `Maintainer: ${MAINTAINER}`,
      `Installed-Size: ${installedKB}`,
      // libpcsclite1 for PC/SC readers; the runtime and every JavaScript module are bundled.
      'Depends: adduser, libc6 (>= 2.28), libstdc++6, libpcsclite1',
      'Recommends: pcscd',
      'Section: admin',
      'Priority: optional',
      'Homepage: https://guardpost.invalid/',
      'Description: monitoring and remote-assistance agent for settlement terminals',
      ' Guardpost watches the card readers, USBKeys, certificates and settlement links of',
      ' medical-insurance settlement terminals (定点医药机构), grades what it finds as faults',
      ' and delivers them to a central desk; engineers assist remotely with the operator\'s',
      ' consent. Ships its own Node.js runtime and the reference desk.',
      '',
    ].join('\n'),
  );

  mkdirSync(values.out, { recursive: true });
  const deb = join(values.out, `guardpost_${version}_${debArch}.deb`);
  // --root-owner-group: every file root:root without fakeroot; xz keeps the download small for the field.
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb]);
  console.log(deb);
  console.error(`guardpost: ${deb} (${(statSync(deb).size / 1e6).toFixed(1)} MB, installed ${(installedKB / 1024).toFixed(0)} MB, runtime Node ${RUNTIME_VERSION})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** A native package's changelog, one entry for this version (dated by the source's last commit, so builds repeat). */
function changelog(version) {
  const date = spawnSync('git', ['log', '-1', '--format=%aD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || new Date().toUTCString().replace('GMT', '+0000');
  return Buffer.from(`guardpost (${version}) stable; urgency=medium\n\n  * Release ${version}; see README.md for what it does.\n\n -- ${MAINTAINER}  ${date}\n`);
}
