import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place in tooling/infra-checks/src. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const terraformDir = `${repoRoot}infra/terraform`;
export const workflowsDir = `${repoRoot}.github/workflows`;
export const observabilityDoc = `${repoRoot}docs/observability.md`;
