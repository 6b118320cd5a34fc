#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (npm install / npm ci build it via the "prepare" script).
import { main } from '../dist/agent/cli/main.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// If some handle still holds the loop after a command finished (a stuck vendor driver, say), leave anyway.
setTimeout(() => process.exit(code), 1000).unref();
