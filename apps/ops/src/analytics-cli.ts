#!/usr/bin/env node
import { runAnalytics } from './analytics-commands.js';

process.exitCode = await runAnalytics(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
