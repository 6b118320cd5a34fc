import { createInterface } from 'node:readline';
/** Where a command writes; tests pass buffers, main passes the process streams. */
export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
  /** Asks a question on the terminal and returns the answer line; null at end of input. Interactive commands only. */
  prompt?(question: string): Promise<string | null>;
  /** Lets go of the terminal after the last question, so the process can end. */
  endPrompts?(): void;
}

export const processIO: CliIO = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
  env: process.env,
  prompt: (question) => stdinLines().ask(question),
  endPrompts: () => lines?.close(),
};

interface LineReader {
  ask(q: string): Promise<string | null>;
  close(): void;
}

let lines: LineReader | undefined;

/**
 * One line reader over stdin for the whole process, created at the first question (commands that never ask keep
 * stdin untouched). Lines are queued, so answers piped in ahead of the questions are not lost.
 */
function stdinLines(): LineReader {
  if (lines) return lines;
  const queue: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let ended = false;
  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => (waiting.length ? waiting.shift()!(line) : queue.push(line)));
  rl.on('close', () => {
    ended = true;
    while (waiting.length) waiting.shift()!(null);
  });
  lines = {
    ask(q) {
      process.stdout.write(q);
      if (queue.length) return Promise.resolve(queue.shift()!);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () => rl.close(),
  };
  return lines;
}

export class UsageError extends Error {
  readonly exitCode = 64;
}
