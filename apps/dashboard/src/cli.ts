#!/usr/bin/env node
import { runDashboard } from './run-dashboard.js';

process.exitCode = await runDashboard(process.argv.slice(2), {
  env: process.env,
  cwd: process.env.INIT_CWD ?? process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
