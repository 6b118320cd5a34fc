import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { MAX_SHELL_FRAME, inputFrame, resizeFrame, type WindowSize } from '../../agent/assist/kinds/shell/frames.js';
import type { Channel } from '../../agent/tunnel/channels/channel.js';

/**
 * The engineer's end of a shell channel. Towards the agent: keystrokes and window sizes as shell frames on one
 * ordered stream (a resize never overtakes the keys typed before it), written one at a time as the channel's credit
 * allows. From the agent: the pty's raw output, written to the engineer's terminal with its backpressure.
 */
export class ShellLink {
  private tail: Promise<void> = Promise.resolve();
  private failed?: Error;

  constructor(readonly channel: Channel) {}

  /** Sends keystrokes (cut into frames the agent accepts); resolves when they went, so the caller can pause its input. */
  input(bytes: Buffer): Promise<void> {
    const frames: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += MAX_SHELL_FRAME) frames.push(inputFrame(bytes.subarray(at, at + MAX_SHELL_FRAME)));
    return this.enqueue(frames);
  }

  resize(size: WindowSize): Promise<void> {
    return this.enqueue([resizeFrame(size)]);
  }

  /** The pty's output goes to `out`; the next chunk is taken only once `out` accepted this one (credit flows back). */
  output(out: Writable): void {
    this.channel.setReader(async (chunk) => {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    });
  }

  /** Channel.write takes one buffer at a time: frames are chained, and a failure stops the rest (the channel closed). */
  private enqueue(frames: Buffer[]): Promise<void> {
    const run = this.tail.then(async () => {
      if (this.failed) throw this.failed;
      for (const f of frames) await this.channel.write(f);
    });
    this.tail = run.catch((err: Error) => {
      this.failed ??= err;
    });
    return run;
  }
}
