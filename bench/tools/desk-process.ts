// Bench tool: the reference desk in its own process (its RSS is the figure). Prints READY <agentsPort>.
// Run: node --import tsx bench/tools/desk-process.ts DESK_DIR
import { Desk } from '../../desk/desk.js';

const desk = await Desk.start({ dir: process.argv[2]!, api: false });
process.stdout.write(`READY ${desk.agentsPort}\n`);
process.stdin.on('data', (b) => {
  if (b.toString().includes('stats')) process.stdout.write(`STATS ${JSON.stringify({ ...desk.queue.stats, sessions: desk.registry.size })}\n`);
});
process.on('SIGTERM', () => void desk.stop().then(() => process.exit(0)));
