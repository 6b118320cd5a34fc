import { chownSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomicSync } from '../core/atomic-file.js';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKeyAndCsr } from '../certs/csr.js';
import { enrollWithDesk, EnrollError } from '../enroll/enroll-client.js';
import { currentPlatform } from '../platform/index.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const ENROLL_HELP = `用法 / usage: guardpost enroll --desk wss://HOST:PORT/agent --code CODE --desk-pin sha256/… [options]
  Connects this terminal to the desk with a one-time code (guardpost desk-cli enroll-code prints the whole line).
  The key pair is made here (its private half never leaves the terminal, mode 0600); the desk signs a certificate
  for it; the certificate, the desk CA and the desk section are written into the config. Run again with a new code
  to replace this terminal's identity (the desk revokes the old one).
  --enroll-url URL   the desk's enrollment endpoint (default https://HOST:8445/enroll)
  --config FILE      the agent's config (default $GUARDPOST_CONFIG or the platform's path); it must exist
  --id AGENT_ID      the agent id (default agent.id in the config, else <fixmedins_code>-<terminalId>)
  Exit: 0 enrolled; 1 refused by the desk (code unknown, used, expired, other site) or desk not the pinned one;
  69 desk unreachable; 64 usage; 78 the config cannot be read. Nothing is written unless enrollment succeeded.`;

const PIN = /^sha256\/[A-Za-z0-9+/]{43}=$/;

interface Identity {
  dir: string;
  key: string;
  cert: string;
  ca: string;
}

export async function enrollCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      desk: { type: 'string' },
      code: { type: 'string' },
      'desk-pin': { type: 'string' },
      'enroll-url': { type: 'string' },
      config: { type: 'string', short: 'c' },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return io.out(ENROLL_HELP), EXIT.ok;
  const deskUrl = values.desk ?? '';
  if (!/^wss:\/\/[^/\s]+/.test(deskUrl)) throw new UsageError('--desk wss://HOST:PORT/agent is required (the address the agent connects to)');
  const code = values.code ?? '';
  if (code.length < 8) throw new UsageError('--code CODE is required (from guardpost desk-cli enroll-code)');
  const pin = values['desk-pin'] ?? '';
  if (!PIN.test(pin)) throw new UsageError('--desk-pin sha256/<base64 of the SPKI hash, 44 characters> is required (guardpost desk init and desk-cli enroll-code print it)');
  const agentsUrl = new URL(deskUrl);
  if (agentsUrl.pathname === '/' || agentsUrl.pathname === '') agentsUrl.pathname = '/agent';
  const enrollUrl = new URL(values['enroll-url'] ?? `https://${agentsUrl.hostname.includes(':') ? `[${agentsUrl.hostname}]` : agentsUrl.hostname}:8445/enroll`);

  const platform = currentPlatform();
  const configFile = resolve(values.config ?? io.env.GUARDPOST_CONFIG ?? platform.paths().config);
  let doc: Record<string, any>;
  try {
    doc = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, any>;
  } catch (err) {
    io.err(`配置无法读取 / cannot read the config ${configFile}: ${(err as Error).message}\n(create it first: guardpost config example > ${configFile})`);
    return EXIT.config;
  }
  // The id the service will run under: agent.id, else "<fixmedins_code>-<terminalId>" as the config loader makes it.
  const fromSite = doc.site?.fixmedins_code && doc.site?.terminalId ? `${doc.site.fixmedins_code}-${doc.site.terminalId}` : undefined;
  const agentId: string | undefined = values.id ?? doc.agent?.id ?? fromSite;
  if (!agentId || !/^[A-Za-z0-9_.-]{1,128}$/.test(agentId)) throw new UsageError(`no agent id: set agent.id (or site.fixmedins_code and site.terminalId) in ${configFile}, or pass --id (1–128 letters, digits, _ . -)`);
  const stateDir: string = doc.storage?.dir ? (isAbsolute(doc.storage.dir) ? doc.storage.dir : resolve(dirname(configFile), doc.storage.dir)) : platform.paths().stateDir;
  const id: Identity = { dir: join(stateDir, 'identity'), key: '', cert: '', ca: '' };
  id.key = join(id.dir, 'agent.key');
  id.cert = join(id.dir, 'agent.pem');
  id.ca = join(id.dir, 'desk-ca.pem');

  const { keyPem, csrPem } = await createKeyAndCsr(agentId);
  let answer;
  try {
    answer = await enrollWithDesk(enrollUrl, pin, { code, csr: csrPem });
  } catch (err) {
    if (!(err instanceof EnrollError)) throw err;
    io.err(`注册失败 / enrollment failed: ${err.text.zh}\n  ${err.text.en}\n(nothing was written)`);
    return err.kind === 'unreachable' ? EXIT.unavailable : EXIT.minor;
  }
  if (answer.agentId !== agentId) {
    io.err(`注册失败 / enrollment failed: the desk issued a certificate for "${answer.agentId}", not "${agentId}" (nothing was written)`);
    return EXIT.minor;
  }

  // Run as root by the installer: the identity belongs to whoever owns the state directory (the service's user).
  const owner = process.getuid?.() === 0 && existsSync(stateDir) ? { uid: statSync(stateDir).uid, gid: statSync(stateDir).gid } : undefined;
  mkdirSync(id.dir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(id.dir, owner.uid, owner.gid);
  writeFileAtomicSync(id.key, keyPem, 0o600, owner);
  writeFileAtomicSync(id.cert, answer.certPem, 0o644, owner);
  writeFileAtomicSync(id.ca, answer.caPem, 0o644, owner);
  const { keyPassphrase: _old, ...deskBefore } = (doc.desk ?? {}) as Record<string, unknown>;
  doc.agent = { ...doc.agent, id: agentId };
  doc.desk = { ...deskBefore, enabled: true, url: agentsUrl.href, caFile: id.ca, pins: [pin], certFile: id.cert, keyFile: id.key };
  const cfgStat = statSync(configFile);
  writeFileAtomicSync(configFile, `${JSON.stringify(doc, null, 2)}\n`, cfgStat.mode & 0o777, process.getuid?.() === 0 ? { uid: cfgStat.uid, gid: cfgStat.gid } : undefined);
  io.out(
    [
      `已注册 / enrolled: ${agentId} → ${agentsUrl.href}`,
      `  证书 certificate ${id.cert} (valid until ${answer.notAfter}); 私钥 key ${id.key} (0600, made here)`,
      `  ${configFile}: desk section written`,
      `下一步 / next: systemctl restart guardpost (or guardpost run)`,
    ].join('\n'),
  );
  return EXIT.ok;
}
