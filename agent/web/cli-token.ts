import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../core/private-files.js';

/**
 * How `guardpost assist` proves it is the terminal's operator to the local API: the agent writes a per-start token
 * into its state directory (0700) as a 0600 file, so only the agent's own user (and root) can read it; a web page,
 * another origin or a replay from an earlier start cannot. The file goes away when the agent stops.
 */
export const CLI_TOKEN_FILE = 'local-api.token';

export interface CliTokenFile {
  url: string;
  token: string;
  pid: number;
  instance: string;
}

export async function writeCliToken(stateDir: string, content: CliTokenFile): Promise<string> {
  const path = join(stateDir, CLI_TOKEN_FILE);
  // Created afresh (never reusing a file someone else prepared with wider modes or as a link).
  await rm(path, { force: true });
  const fh = await open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    await fh.writeFile(JSON.stringify(content));
  } finally {
    await fh.close();
  }
  return path;
}

export async function readCliToken(stateDir: string): Promise<CliTokenFile> {
  return JSON.parse(await readFile(join(stateDir, CLI_TOKEN_FILE), 'utf8')) as CliTokenFile;
}

export async function removeCliToken(stateDir: string, token: string): Promise<void> {
  // Only our own: a second agent started on the same state directory may have written its own since.
  const current = await readCliToken(stateDir).catch(() => undefined);
  if (current?.token === token) await rm(join(stateDir, CLI_TOKEN_FILE), { force: true });
}
