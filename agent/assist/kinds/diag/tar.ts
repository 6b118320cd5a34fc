/**
 * A minimal ustar (POSIX.1-1988) writer: regular files and directories, names up to 255 bytes (prefix + name). Our
 * own rather than the npm `tar` package: the bundle needs ~60 lines of writing, not a full archiver with its
 * extraction code and dependencies. GNU tar, bsdtar and 7-Zip read it.
 */
export interface TarEntry {
  /** Path inside the archive, '/'-separated; a directory ends with '/'. */
  name: string;
  body?: Buffer;
  mtime: Date;
  mode?: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** ustar splits a long path into prefix (155) / name (100) at a '/'. */
function splitName(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  const slash = path.endsWith('/') ? '/' : ''; // a directory's own trailing slash is not a split point
  const bare = slash ? path.slice(0, -1) : path;
  for (let i = bare.indexOf('/'); i >= 0; i = bare.indexOf('/', i + 1)) {
    const prefix = bare.slice(0, i);
    const name = bare.slice(i + 1) + slash;
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== slash) return { prefix, name };
  }
  throw new Error(`tar: the path "${path}" is too long for ustar (at most 155 + 100 bytes, split at a '/')`);
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const dir = e.name.endsWith('/');
  const { prefix, name } = splitName(e.name);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode ?? (dir ? 0o755 : 0o644), 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(e.mtime.getTime() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum counted as spaces
  h.write(dir ? '5' : '0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('guardpost', 265, 'ascii'); // uname
  h.write('guardpost', 297, 'ascii'); // gname
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

export function ustar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.name.endsWith('/') ? Buffer.alloc(0) : (e.body ?? Buffer.alloc(0));
    parts.push(header(e, body.length), body);
    const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2)); // end of archive
  return Buffer.concat(parts);
}
