import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { expect, it } from 'vitest';
import { terraformDir } from './repo-paths.js';

// `terraform fmt` needs no provider, so it runs here; `terraform validate` does not (it needs
// `terraform init`, which downloads azurerm). Every machine that runs `pnpm test` has Terraform:
// these machines at /usr/local/bin/terraform, GitHub's runners through setup-terraform in ci.yml.
// A missing binary fails the test rather than skipping it: a skipped format check looks green.
function findTerraform(): string | undefined {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'terraform'))
    .find((candidate) => existsSync(candidate));
  return onPath ?? (existsSync('/usr/local/bin/terraform') ? '/usr/local/bin/terraform' : undefined);
}

it('infra/terraform is formatted (terraform fmt -check)', () => {
  const terraform = findTerraform();
  expect(terraform, 'terraform is not installed: put Terraform 1.9+ on PATH').toBeDefined();
  const result = spawnSync(terraform!, ['fmt', '-check', '-recursive', '-diff', terraformDir], {
    encoding: 'utf8',
    // No CLI configuration is needed for fmt; this keeps its warning about a missing one out.
    env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' },
  });
  expect(result.error).toBeUndefined();
  expect(result.stdout, 'files terraform fmt would change').toBe('');
  expect(result.status).toBe(0);
});
