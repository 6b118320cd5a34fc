import type { IPty } from 'node-pty';
import type { KindContext } from '../types.js';
import { ShellFrameDecoder } from './frames.js';
import { killSession } from './kill-session.js';
import type { AsciicastRecorder, RecordingSummary } from './recording.js';

export type ShellEndedBy = 'shell' | 'engineer' | 'session' | 'error';

export interface ShellEnd {
  endedBy: ShellEndedBy;
  exitCode: number | null;
  signal: number | null;
  recording?: RecordingSummary;
  recordingError?: string;
}

/** After SIGHUP, how long the shell's process group has before SIGKILL. */
const KILL_GRACE_MS = 3000;

/**
 * Runs a spawned pty on an accepted channel. Output: the pty is paused while its chunk is being sent (channel
 * credit) and recorded, so neither the channel nor the recording queues more than one chunk. Input: shell frames
 * (keystrokes, resizes) in order. The shell exiting closes the channel 'done'; the channel closing (engineer, session
 * end) hangs up every process of the shell's terminal session, and what the shell leaves running when it exits is
 * hung up too: nothing it started outlives it. A recording that fails to write stops the shell: no shell runs
 * unrecorded. Resolves once the shell is gone and the recording closed.
 */
export function runPtySession(ctx: KindContext, term: IPty, recorder: AsciicastRecorder): Promise<ShellEnd> {
  const ch = ctx.channel;
  let endedBy: ShellEndedBy | undefined;
  let exited = false;
  let pending: Promise<unknown> = Promise.resolve();
  let killTimer: NodeJS.Timeout | undefined;

  // forkpty made the shell a session leader: its jobs, whatever their process group, are in its session.
  const killGroup = (signal: NodeJS.Signals) => killSession(term.pid, signal);
  const stop = (by: ShellEndedBy, reason: 'error' | 'protocol_error' | undefined, why?: string) => {
    endedBy ??= by;
    if (why) ctx.logger.warn({ session: ctx.session.id, why }, 'shell: stopping');
    if (reason && !ch.closed) ch.close(reason);
    if (exited || killTimer) return;
    killGroup('SIGHUP');
    term.resume(); // let the pty drain so the exit is seen
    killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  };

  term.onData((data) => {
    const bytes = data as unknown as Buffer; // encoding: null gives Buffers
    if (ch.closed || endedBy) return; // the engineer is gone: nothing is sent, so nothing is recorded
    term.pause();
    ctx.touch();
    const sent = ch.write(bytes).catch(() => undefined); // a closed channel stops the shell through its 'close'
    const recorded = recorder.output(bytes).catch((err: Error) => stop('error', 'error', `the recording cannot be written: ${err.message}`));
    pending = Promise.all([sent, recorded]).then(() => {
      if (!exited) term.resume();
    });
  });

  const frames = new ShellFrameDecoder();
  ch.setReader(async (chunk) => {
    ctx.touch();
    let list;
    try {
      list = frames.push(chunk);
    } catch (err) {
      return stop('error', 'protocol_error', (err as Error).message);
    }
    for (const f of list) {
      if (f.type === 'input') term.write(f.bytes);
      else {
        term.resize(f.size.cols, f.size.rows);
        await recorder.resize(f.size.cols, f.size.rows).catch((err: Error) => stop('error', 'error', `the recording cannot be written: ${err.message}`));
      }
    }
  });

  ch.once('close', (reason: string) => stop(reason === 'session_ended' || reason === 'connection_lost' ? 'session' : 'engineer', undefined));

  return new Promise((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      exited = true;
      clearTimeout(killTimer);
      endedBy ??= 'shell';
      // Jobs left behind (`sleep 999 &`, then exit) belong to the session that just ended: hang them up, then kill.
      killGroup('SIGHUP');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
      void (async () => {
        await pending; // the last output is sent and recorded before the channel closes
        const end: ShellEnd = { endedBy: endedBy!, exitCode: signal ? null : exitCode, signal: signal || null };
        try {
          end.recording = await recorder.close();
        } catch (err) {
          end.recordingError = (err as Error).message;
        }
        if (!ch.closed) ch.close(end.recordingError ? 'error' : 'done');
        resolve(end);
      })();
    });
  });
}
