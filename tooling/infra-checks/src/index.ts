export {
  type AlertDoc,
  alertKey,
  type DocumentedAlert,
  dimensionKeys,
  metricNames,
  readAlertDoc,
} from './alert-doc.js';
export { observabilityDoc, repoRoot, terraformDir, workflowsDir } from './repo-paths.js';
export { contractInstruments, contractMetricNames } from './telemetry-contract.js';
export {
  block,
  type HclJson,
  hcl,
  loadTerraformFiles,
  loadTfvars,
  locals,
  modules,
  outputs,
  resources,
  strings,
  type TerraformFile,
  variables,
} from './terraform-files.js';
