import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReportInputError } from '../month.js';

/** The flags that work headless, as root, on a closed network (no update checks, sync or first-run pages). */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
];
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** $GUARDPOST_CHROMIUM, else the first of the usual names on PATH; undefined when there is none. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates = env.GUARDPOST_CHROMIUM ? [env.GUARDPOST_CHROMIUM] : (env.PATH ?? '').split(delimiter).filter(Boolean).flatMap((d) => NAMES.map((n) => join(d, n)));
  for (const c of candidates) {
    if (await access(c, constants.X_OK).then(() => true, () => false)) return c;
  }
  return undefined;
}

export class ChromiumMissingError extends ReportInputError {
  constructor() {
    super(
      '未找到 Chromium 浏览器，无法生成 PDF：请安装 chromium（Debian: apt-get install chromium）或设置 GUARDPOST_CHROMIUM，或改用 --format html 后用浏览器打印',
      'no chromium found, so no PDF: install chromium (Debian: apt-get install chromium) or set GUARDPOST_CHROMIUM, or use --format html and print it from a browser',
    );
    this.name = 'ChromiumMissingError';
  }
}

/** Runs chromium on an HTML document and returns the file it wrote (PDF, or PNG for `screenshot`). */
async function runChromium(html: string, mode: { pdf: true } | { screenshot: { width: number; height: number } }, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Buffer> {
  const exe = await findChromium(env);
  if (!exe) throw new ChromiumMissingError();
  // A private profile and page per run: nothing is shared with a browser someone else runs on the terminal.
  const work = await mkdtemp(join(tmpdir(), 'guardpost-report-'));
  try {
    const page = join(work, 'report.html');
    const out = join(work, 'pdf' in mode ? 'report.pdf' : 'report.png');
    await writeFile(page, html, { mode: 0o600 });
    const args = [...CHROMIUM_FLAGS, `--user-data-dir=${join(work, 'profile')}`];
    if ('pdf' in mode) args.push('--no-pdf-header-footer', `--print-to-pdf=${out}`);
    else args.push(`--window-size=${mode.screenshot.width},${mode.screenshot.height}`, '--hide-scrollbars', `--screenshot=${out}`);
    args.push(pathToFileURL(page).href);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(exe, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (err) => (clearTimeout(timer), reject(err)));
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`chromium (${exe}) failed (${signal ?? `exit ${code}`}): ${stderr.split('\n').filter((l) => /error|fail/i.test(l) && !/dbus|bus\.cc/i.test(l)).slice(-3).join(' | ')}`));
      });
    });
    return await readFile(out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function htmlToPdf(html: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<Buffer> {
  return runChromium(html, { pdf: true }, env, timeoutMs);
}

/** The first screenful of the document as PNG (at 96 dpi, 794 px is A4's width). */
export function htmlToPng(html: string, size = { width: 794, height: 1123 }, env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<Buffer> {
  return runChromium(html, { screenshot: size }, env, timeoutMs);
}
