export {
  type OpsDatabase,
  OpsSettingError,
  type OpsSettings,
  openOpsDatabase,
  readOpsSettings,
} from './ops-database.js';
export { ExitCode, type OpsIo, runOps } from './run-ops.js';
