import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './repo-paths.js';
import { actionlint, allSteps, loadWorkflows, type Workflow } from './workflows.js';

let workflows: Workflow[];
const workflow = (file: string) => {
  const found = workflows.find((candidate) => candidate.file === file);
  if (!found) throw new Error(`no .github/workflows/${file}`);
  return found;
};

beforeAll(() => {
  workflows = loadWorkflows();
});

describe('workflows', () => {
  it('are ci, deploy and release', () => {
    expect(workflows.map((candidate) => candidate.file)).toEqual(['ci.yml', 'deploy.yml', 'release.yml']);
  });

  it('pass actionlint', async () => {
    for (const candidate of workflows) {
      const findings = await actionlint(candidate);
      expect(
        findings.map(
          (finding) =>
            `${candidate.file}:${finding.line}:${finding.column} ${finding.message} [${finding.kind}]`,
        ),
      ).toEqual([]);
    }
  });

  it('actionlint finds a mistake when there is one', async () => {
    const broken = workflow('ci.yml');
    const findings = await actionlint({
      ...broken,
      text: broken.text.replace('runs-on: ubuntu-24.04', 'runs-on: ['),
    });
    expect(findings.length).toBeGreaterThan(0);
  });

  it('use no stored secret and pin every action to a release', () => {
    for (const candidate of workflows) {
      expect(candidate.text, candidate.file).not.toMatch(/secrets\./);
      for (const step of allSteps(candidate)) {
        if (step.uses !== undefined)
          expect(step.uses, candidate.file).toMatch(/@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
      }
    }
  });

  it('grant no more than read access to contents, except the release pull request', () => {
    for (const candidate of workflows) {
      const permissions = candidate.yaml.permissions;
      expect(permissions, `${candidate.file}: top-level permissions`).toBeDefined();
      if (candidate.file === 'release.yml') {
        expect(permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
      } else {
        expect(permissions!.contents, candidate.file).toBe('read');
      }
    }
  });
});

describe('ci.yml', () => {
  it('runs .ci/run on pull requests and on main', () => {
    const ci = workflow('ci.yml');
    expect(ci.yaml.on).toHaveProperty('pull_request');
    expect((ci.yaml.on!.push as { branches: string[] }).branches).toEqual(['main']);
    expect(allSteps(ci).some((step) => step.run?.trim() === 'bash .ci/run')).toBe(true);
  });

  it('installs the Terraform the format test needs', () => {
    const setup = allSteps(workflow('ci.yml')).find((step) =>
      step.uses?.startsWith('hashicorp/setup-terraform@'),
    );
    expect(setup?.with?.terraform_version).toMatch(/^1\.(9|1\d)\./);
  });
});

describe('deploy.yml', () => {
  const deploy = () => workflow('deploy.yml');
  const steps = () => allSteps(deploy());
  const indexOf = (predicate: (step: { run?: string; uses?: string }) => boolean, what: string) => {
    const index = steps().findIndex(predicate);
    expect(index, what).toBeGreaterThanOrEqual(0);
    return index;
  };

  it('deploys main, and any GitHub environment by hand', () => {
    const on = deploy().yaml.on!;
    expect((on.push as { branches: string[] }).branches).toEqual(['main']);
    const input = (on.workflow_dispatch as { inputs: Record<string, { type: string }> }).inputs.environment;
    expect(input?.type).toBe('environment');
    for (const job of Object.values(deploy().yaml.jobs)) {
      expect(String(job.environment)).toContain('inputs.environment');
    }
  });

  it('logs in to Azure with OIDC: id-token write, ids from variables, no client secret', () => {
    expect(deploy().yaml.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const login = steps().find((step) => step.uses?.startsWith('azure/login@'));
    expect(login?.with).toBeDefined();
    expect(Object.keys(login!.with!).sort()).toEqual(['client-id', 'subscription-id', 'tenant-id']);
    for (const value of Object.values(login!.with!))
      expect(String(value)).toMatch(/^\$\{\{ vars\.[A-Z_]+ \}\}$/);
    expect(deploy().text).toContain('ARM_USE_OIDC: "true"');
  });

  it('plans, applies, migrates, grants, packages, deploys and smoke-checks, in that order', () => {
    const order = [
      indexOf((step) => /terraform init/.test(step.run ?? ''), 'terraform init'),
      indexOf((step) => /terraform plan .*-out=tfplan/.test(step.run ?? ''), 'terraform plan'),
      indexOf((step) => /terraform apply tfplan/.test(step.run ?? ''), 'terraform apply of the plan'),
      indexOf(
        (step) => /PAYMETRICS_DATABASE_AUTH=entra[\s\S]*pnpm migrate/.test(step.run ?? ''),
        'pnpm migrate',
      ),
      indexOf((step) => /-f infra\/sql\/function-role\.sql/.test(step.run ?? ''), 'function role'),
      indexOf((step) => step.run?.trim() === 'pnpm --filter @paymetrics/function package', 'package'),
      indexOf((step) => step.uses?.startsWith('Azure/functions-action@') ?? false, 'functions-action'),
      indexOf((step) => /processPayments/.test(step.run ?? ''), 'smoke check'),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("deploys the zip the Function's package script writes, to Flex Consumption", () => {
    const deployStep = steps().find((step) => step.uses?.startsWith('Azure/functions-action@'))!;
    expect(deployStep.with).toMatchObject({
      package: 'apps/function/dist/function.zip',
      sku: 'flexconsumption',
    });
    const packageScript = readFileSync(`${repoRoot}apps/function/scripts/package.mjs`, 'utf8');
    expect(packageScript).toContain('function.zip');
  });

  it('smoke-checks a function the app registers', () => {
    const smoke = steps().find((step) => /processPayments/.test(step.run ?? ''))!;
    const registered = readFileSync(`${repoRoot}apps/function/src/functions/process-payments.ts`, 'utf8');
    expect(registered).toMatch(/app\.eventHub(<[^>]*>)?\('processPayments'/);
    expect(smoke.run).toMatch(/exit 1/);
  });
});

describe('release.yml', () => {
  it('opens the changesets release pull request', () => {
    const action = allSteps(workflow('release.yml')).find((step) =>
      step.uses?.startsWith('changesets/action@'),
    );
    expect(action?.with?.version).toBe('pnpm changeset version');
    expect(action?.with).not.toHaveProperty('publish');
  });
});
