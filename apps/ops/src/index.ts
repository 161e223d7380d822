export { ExitCode, type OpsIo, runOps } from './run-ops.js';
