import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import type { GuardpostConfig } from '../core/config/types.js';
import { finding, type Finding } from './types.js';

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * Owners and modes of what the agent keeps: the config (may reference secrets; the service's group reads it), the
 * desk key (the terminal's identity: its owner alone), the state and log directories (the service writes them).
 * POSIX modes only; Windows ACLs are the installer's (see docs/windows-service.md).
 */
export function fileFindings(cfg: GuardpostConfig, configFile: string): Finding[] {
  if (process.platform === 'win32') return [finding('files', configFile, 'skip', { zh: 'Windows 的权限由安装程序设置', en: 'Windows permissions are set by the installer' })];
  const out: Finding[] = [];
  const config = stat(configFile);
  if (config && (config.mode & 0o002) !== 0) {
    out.push(finding('files', configFile, 'fail', { zh: `配置文件任何人可写（${octal(config.mode)}）`, en: `the config is writable by anyone (${octal(config.mode)})` }, { zh: `chmod 0640 ${configFile}`, en: `chmod 0640 ${configFile}` }));
  } else if (config && (config.mode & 0o004) !== 0) {
    out.push(finding('files', configFile, 'warn', { zh: `配置文件任何人可读（${octal(config.mode)}）`, en: `the config is readable by anyone (${octal(config.mode)})` }, { zh: `chmod 0640 ${configFile}（属组为服务的组）`, en: `chmod 0640 ${configFile} (group: the service's)` }));
  } else if (config) out.push(finding('files', configFile, 'ok', { zh: `配置文件权限 ${octal(config.mode)}`, en: `config mode ${octal(config.mode)}` }));

  if (cfg.desk.enabled && cfg.desk.keyFile) out.push(keyFinding(cfg.desk.keyFile));
  out.push(writableDir('files', cfg.storage.dir, { zh: '状态目录', en: 'state directory' }));
  if (cfg.logging.file) out.push(writableDir('files', dirname(cfg.logging.file), { zh: '日志目录', en: 'log directory' }));
  return out;
}

function keyFinding(keyFile: string): Finding {
  const st = stat(keyFile);
  if (!st) return finding('files', keyFile, 'fail', { zh: '私钥文件不存在', en: 'the private key file is missing' }, { zh: '重新接入：guardpost enroll', en: 're-enroll: guardpost enroll' });
  if ((st.mode & 0o077) !== 0) {
    return finding(
      'files',
      keyFile,
      'fail',
      { zh: `终端私钥可被其他用户读取（${octal(st.mode)}）：证书可能已泄露`, en: `the terminal's private key is readable by other users (${octal(st.mode)}): its identity may have leaked` },
      {
        zh: `chmod 0600 ${keyFile}；若机器上有不可信用户，在服务台吊销并重新接入（guardpost desk-cli revoke，guardpost enroll）`,
        en: `chmod 0600 ${keyFile}; if untrusted users have accounts here, revoke it at the desk and enroll again (guardpost desk-cli revoke, guardpost enroll)`,
      },
    );
  }
  return finding('files', keyFile, 'ok', { zh: `私钥权限 ${octal(st.mode)}`, en: `key mode ${octal(st.mode)}` });
}

function writableDir(area: string, dir: string, what: { zh: string; en: string }): Finding {
  const st = stat(dir);
  if (!st?.isDirectory()) return finding(area, dir, 'fail', { zh: `${what.zh}不存在`, en: `the ${what.en} does not exist` }, { zh: `重装软件包，或 install -d -o guardpost -m 0750 ${dir}`, en: `reinstall the package, or install -d -o guardpost -m 0750 ${dir}` });
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return finding(area, dir, 'fail', { zh: `${what.zh}对当前用户不可写`, en: `the ${what.en} is not writable by this user` }, { zh: `chown guardpost ${dir}（或以服务用户运行 doctor）`, en: `chown guardpost ${dir} (or run doctor as the service user)` });
  }
  return finding(area, dir, 'ok', { zh: `${what.zh}可写`, en: `${what.en} writable` });
}

function stat(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}
