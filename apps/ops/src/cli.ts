#!/usr/bin/env node
import { runOps } from './run-ops.js';

process.exitCode = await runOps(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
