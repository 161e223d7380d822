export { checkRollups, type RollupMismatch } from './rollup-check.js';
