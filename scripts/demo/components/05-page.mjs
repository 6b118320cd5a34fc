// Demo part: the local health page. Its address is the first note a newcomer reads (the agent prints it again once
// the page listens). If 8620 is taken (an agent already running here), the demo's page moves to the next free port.
import { createServer } from 'node:net';

function free(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const got = srv.address().port;
      srv.close(() => resolve(got));
    });
  });
}

export async function setup() {
  let port;
  for (const p of [8620, 8621, 8622, 8623, 0]) if ((port = await free(p))) break;
  return {
    web: { port },
    notes: [`本机状态页 / local health page: http://127.0.0.1:${port}/  ← open it in a browser (中文 / English)`],
  };
}
