#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (npm install / npm ci build it via the "prepare" script).
const argv = process.argv.slice(2);
// The agent's V8 memory settings must be in place before its modules load, hence the dynamic import of main.
if (argv[0] === 'run') (await import('../dist/agent/core/runtime/service-tuning.js')).tuneForService();
const { main } = await import('../dist/agent/cli/main.js');

const code = await main(argv);
process.exitCode = code;
// If some handle still holds the loop after a command finished (a stuck vendor driver, say), leave anyway.
setTimeout(() => process.exit(code), 1000).unref();
