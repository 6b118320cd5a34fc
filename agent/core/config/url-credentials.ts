import { escapePointerToken, type SourceLocation } from './json-source.js';
import { displayPath, type ConfigProblem } from './problems.js';
import { hasUrlCredentials, redactUrlCredentials } from './redact.js';

/**
 * No proxy URL in the config may carry credentials (`http://user:password@host:port`): a password there is a secret
 * written into the file, which the config never holds. One rule for every proxy URL (desk.proxy.url and each check's
 * proxy.url), at load, so `config validate` refuses it with its line and column. The credentials belong in the
 * proxy's `username` and `password` (a secret reference). HTTPS_PROXY and its kin in the agent's environment may
 * still carry them: that is the operating system's convention, and the environment is not the config file.
 * desk.url neither: the desk knows the agent by its client certificate, and the URL is shown in status and logs.
 */
export function urlCredentialProblems(doc: unknown, locate: (pointer: string) => SourceLocation | undefined): ConfigProblem[] {
  const root = asRecord(doc);
  const problems: ConfigProblem[] = [];
  const deskUrl = asRecord(root?.desk)?.url;
  if (typeof deskUrl === 'string' && hasUrlCredentials(deskUrl)) {
    problems.push({
      path: 'desk.url',
      at: locate('/desk/url'),
      message: `credentials in desk.url are refused ("${redactUrlCredentials(deskUrl)}"): the desk knows the agent by its client certificate (desk.certFile, desk.keyFile)`,
    });
  }
  const proxies: string[] = ['/desk/proxy'];
  for (const id of Object.keys(asRecord(root?.checks) ?? {})) proxies.push(`/checks/${escapePointerToken(id)}/proxy`);
  for (const pointer of proxies) {
    const url = asRecord(valueAt(root, pointer))?.url;
    if (typeof url !== 'string' || !hasUrlCredentials(url)) continue;
    const base = displayPath(pointer);
    problems.push({
      path: `${base}.url`,
      at: locate(`${pointer}/url`),
      message:
        `credentials in a proxy URL are refused ("${redactUrlCredentials(url)}"): a password in the config file is no secret. ` +
        `Write the URL without them, the user name in ${base}.username and the password in ${base}.password as ` +
        '{"env": NAME} or {"file": PATH} (a file only the agent\'s user can read)',
    });
  }
  return problems;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function valueAt(root: Record<string, unknown> | undefined, pointer: string): unknown {
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) node = asRecord(node)?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}
