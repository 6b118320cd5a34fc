// The real agent from dist/ (`guardpost run`), with a line protocol on stdin standing in for the desk's assistance
// channel until that exists: {"op":"request", ...AssistRequest} and {"op":"get","id"}; each answer is one JSON line.
import { createInterface } from 'node:readline';
import { runCommand } from '../../../dist/agent/cli/run-command.js';

const io = { out: (s) => process.stderr.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`), env: process.env };
let sessions;
const exit = runCommand(process.argv.slice(2), io, {
  started: ({ assist }) => {
    sessions = assist;
    process.stdout.write(`${JSON.stringify({ op: 'ready' })}\n`);
  },
});
createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line);
  const answer = msg.op === 'request' ? sessions.request(msg.request) : sessions.get(msg.id);
  process.stdout.write(`${JSON.stringify({ op: msg.op, session: answer ?? null })}\n`);
});
process.exitCode = await exit;
process.exit();
