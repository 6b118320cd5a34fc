// A desk in its own process (tests that SIGKILL it): node --import tsx tests/desk/support/desk-process.ts DIR
import { Desk } from '../../../desk/desk.js';

const desk = await Desk.start({ dir: process.argv[2]! });
process.stdout.write(`READY ${desk.agentsPort} ${desk.apiPort}\n`);
process.on('SIGTERM', () => void desk.stop().then(() => process.exit(0)));
