import { join } from 'node:path';
import { ensurePrivateDir } from '../../../core/private-files.js';
import { usersFor, type UserDirectory } from '../../../platform/users.js';
import { auditDirOf } from '../../audit/audit-log.js';
import { checkAgainst } from '../params.js';
import type { AssistKindPlugin, KindContext } from '../types.js';
import { resolveAccount } from './account.js';
import { shellEnv } from './env.js';
import { planLaunch, type Launch } from './launch.js';
import { runPtySession } from './pty-session.js';
import { AsciicastRecorder } from './recording.js';
import { ShellParamsSchema, type ShellParams } from './schema.js';

export interface ShellKindDeps {
  /** storage.dir: recordings go to <storageDir>/audit/recordings. */
  storageDir: string;
  users?: UserDirectory;
  /** The agent's uid (default process.getuid()); undefined where the OS has none. */
  selfUid?: number | undefined;
}

export const recordingsDirOf = (storageDir: string) => join(auditDirOf(storageDir), 'recordings');

type NodePty = typeof import('node-pty');

/**
 * shell: an interactive shell in a real pty, as the configured unprivileged account, with a clean environment, and
 * recorded (asciicast v2) from before it starts: a recording that cannot be opened refuses the shell.
 */
export function shellKind(deps: ShellKindDeps): AssistKindPlugin {
  const users = deps.users ?? usersFor(process.platform);
  const selfUid = 'selfUid' in deps ? deps.selfUid : process.getuid?.();
  return {
    kind: 'shell',
    open: async ({ params, session, policy, channel }) => {
      const p = checkAgainst<ShellParams>(ShellParamsSchema, params, 'params');
      if (!p.ok) return { refuse: 'bad_params', detail: p.error };
      if (!/^[A-Za-z0-9-]{1,64}$/.test(session.id)) return { refuse: 'error', detail: `session id "${session.id}" cannot name a recording file` };
      const shellPolicy = policy.shell ?? {};
      const who = await resolveAccount(shellPolicy, users, selfUid);
      if (!who.ok) return who;
      const launch = await planLaunch(shellPolicy, who.account, who.switchUser);
      if ('refuse' in launch) return launch;
      let pty: NodePty;
      try {
        pty = await import('node-pty'); // loaded here, on the first shell, never at agent start
      } catch (err) {
        return { refuse: 'error', detail: `node-pty cannot be loaded: ${(err as Error).message}` };
      }
      const dir = recordingsDirOf(deps.storageDir);
      const file = join(dir, `${session.id}-${channel}.cast`);
      let recorder: AsciicastRecorder;
      try {
        await ensurePrivateDir(dir);
        recorder = await AsciicastRecorder.open(file, {
          width: p.value.cols,
          height: p.value.rows,
          timestamp: Math.floor(Date.now() / 1000),
          env: { TERM: p.value.term, SHELL: launch.shell },
          title: `Guardpost shell for ${session.request.engineer} (session ${session.id})`,
        });
      } catch (err) {
        return { refuse: 'error', detail: `the shell recording ${file} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); no shell runs without one` };
      }
      const env = shellEnv({ account: who.account, shell: launch.shell, term: p.value.term, engineer: session.request.engineer, session: session.id });
      return {
        window: 64 * 1024,
        cancel: () => void recorder.abandon(),
        start: (ctx) => void run(ctx, pty, launch, env, p.value, recorder, who.account.name),
      };
    },
  };
}

async function run(ctx: KindContext, pty: NodePty, launch: Launch, env: Record<string, string>, size: ShellParams, recorder: AsciicastRecorder, user: string): Promise<void> {
  const started = Date.now();
  let term;
  try {
    term = pty.spawn(launch.file, launch.args, { name: size.term, cols: size.cols, rows: size.rows, cwd: launch.cwd, env, encoding: null });
  } catch (err) {
    ctx.logger.error({ session: ctx.session.id, err: (err as Error).message }, 'shell: the pty could not be started');
    const rec = await recorder.close().catch(() => undefined);
    ctx.channel.close('error');
    await audit(ctx, { endedBy: 'error', exitCode: null, signal: null, ...(rec ? { recording: rec } : {}) }, recorder.file, started);
    return;
  }
  ctx.logger.info({ session: ctx.session.id, engineer: ctx.session.request.engineer, user, pid: term.pid, recording: recorder.file }, 'shell started');
  const end = await runPtySession(ctx, term, recorder);
  if (end.recordingError) ctx.logger.error({ session: ctx.session.id, err: end.recordingError }, 'shell: the recording could not be completed');
  ctx.logger.info({ session: ctx.session.id, endedBy: end.endedBy, exitCode: end.exitCode, signal: end.signal }, 'shell ended');
  await audit(ctx, end, recorder.file, started);
}

async function audit(ctx: KindContext, end: Awaited<ReturnType<typeof runPtySession>>, file: string, started: number): Promise<void> {
  const r = end.recording;
  await ctx
    .audit('shell-recording', {
      session: ctx.session.id,
      engineer: ctx.session.request.engineer,
      file,
      sha256: r?.sha256 ?? null,
      bytes: r?.bytes ?? null,
      durationSeconds: r?.durationSeconds ?? Math.round((Date.now() - started) / 1000),
      exitCode: end.exitCode,
      signal: end.signal,
      endedBy: end.endedBy,
      ...(end.recordingError ? { recordingError: end.recordingError } : {}),
    })
    .catch((err: Error) => ctx.logger.error({ err: err.message, session: ctx.session.id }, 'shell: the audit record could not be written'));
}
