export { buildDashboardApp, type DashboardAppOptions } from './app.js';
export { classifyQueryFailure, type QueryFailure } from './query-failure.js';
export { type DashboardIo, runDashboard } from './run-dashboard.js';
export { type DashboardSettings, readDashboardSettings, SettingError } from './settings.js';
export { ensureWebBuild, webBuildIsStale, webOutDir } from './web-build.js';
