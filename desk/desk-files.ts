import { join } from 'node:path';
import type { DeskConfig } from './config.js';
import { listTree } from './file-modes.js';
import { sidecarFiles } from './store/sqlite-store.js';

/** The file desk-cli keeps a saved API token in, in the desk's directory. */
export const CLI_TOKEN_FILE = 'cli-token';

/**
 * Every file and directory of a desk that holds something private or that must not be changed by others: its
 * config, database (with SQLite's sidecar files), log (with the rotated ones), keys and certificates (a writable CA
 * file would let anyone add agents), the saved API token, and the agents' issued certificates and keys.
 * Directories are only the desk's own (its directory and agents/…): a database or log configured elsewhere sits in
 * the operator's directory, whose mode is the operator's business.
 */
export function deskFiles(c: DeskConfig, logFiles: number): { files: string[]; dirs: string[] } {
  const agents = listTree(join(c.dir, 'agents'));
  const logs = [c.log.file, ...Array.from({ length: logFiles }, (_, i) => `${c.log.file}.${i + 1}`)];
  return {
    files: [c.source, c.database, ...sidecarFiles(c.database), ...logs, c.tls.key, c.tls.caKey, c.tls.cert, c.tls.caCert, join(c.dir, CLI_TOKEN_FILE), ...agents.files],
    dirs: [c.dir, join(c.dir, 'agents'), ...agents.dirs],
  };
}
