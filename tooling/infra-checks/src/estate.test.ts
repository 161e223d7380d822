import { SettingName } from '@paymetrics/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { terraformDir } from './repo-paths.js';
import {
  asArray,
  asRecord,
  block,
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

let files: TerraformFile[];

beforeAll(async () => {
  files = await loadTerraformFiles(terraformDir);
});

const one = (type: string, name?: string) => {
  const found = resources(files, type).filter((resource) => name === undefined || resource.name === name);
  expect(found, `${type}${name ? `.${name}` : ''}`).toHaveLength(1);
  return found[0]!;
};

const rootVariable = (name: string) => {
  const found = variables(files).find((variable) => variable.name === name);
  if (!found) throw new Error(`no root variable ${name}`);
  return found.body;
};

describe('the estate', () => {
  it('has every resource of issue 13', () => {
    for (const type of [
      'azurerm_resource_group',
      'azurerm_eventhub_namespace',
      'azurerm_eventhub',
      'azurerm_eventhub_consumer_group',
      'azurerm_storage_account',
      'azurerm_storage_container',
      'azurerm_storage_management_policy',
      'azurerm_postgresql_flexible_server',
      'azurerm_postgresql_flexible_server_active_directory_administrator',
      'azurerm_postgresql_flexible_server_database',
      'azurerm_postgresql_flexible_server_configuration',
      'azurerm_service_plan',
      'azurerm_function_app_flex_consumption',
      'azurerm_user_assigned_identity',
      'azurerm_role_assignment',
      'azurerm_log_analytics_workspace',
      'azurerm_application_insights',
      'azurerm_monitor_action_group',
      'azurerm_monitor_scheduled_query_rules_alert_v2',
      'azurerm_application_insights_workbook',
    ]) {
      expect(resources(files, type).length, type).toBeGreaterThan(0);
    }
  });

  it('pins azurerm to 4.x and Terraform to a version with cross-variable validation', () => {
    const settings = asRecord(asArray(files.find((file) => file.path === 'versions.tf')!.json.terraform)[0]);
    const azurerm = asRecord(asRecord(asArray(settings.required_providers)[0]).azurerm);
    expect(azurerm.source).toBe('hashicorp/azurerm');
    expect(azurerm.version).toMatch(/^~> 4\.\d+$/);
    expect(settings.required_version).toMatch(/>= 1\.(9|1\d)/);
  });

  it('defaults the hub to 32 partitions, validated against the tier', () => {
    const partitions = rootVariable('eventhub_partition_count');
    expect(partitions.default).toBe(32);
    const [validation] = partitions.validation as Array<Record<string, unknown>>;
    expect(validation!.condition).toContain('var.eventhub_sku == "Premium" ? 100 : 32');
    expect(one('azurerm_eventhub').body.partition_count).toBe(hcl('var.partition_count'));
    const eventHubs = modules(files).find((module) => module.name === 'event_hubs')!;
    expect(eventHubs.body.partition_count).toBe(hcl('var.eventhub_partition_count'));
  });

  it('gives the Function a consumer group of its own', () => {
    const group = one('azurerm_eventhub_consumer_group');
    expect(group.body.eventhub_name).toBe(hcl('azurerm_eventhub.payments.name'));
    const eventHubs = modules(files).find((module) => module.name === 'event_hubs')!;
    expect(eventHubs.body.consumer_group_name).not.toBe('$Default');
  });

  it('moves raw archive blobs to cool after 30 days and deletes them after the retention variable', () => {
    const policy = one('azurerm_storage_management_policy');
    expect(policy.body.storage_account_id).toBe(hcl('azurerm_storage_account.archive.id'));
    const rules = policy.body.rule as Array<Record<string, unknown>>;
    const raw = rules.find((rule) =>
      (block(rule, 'filters').prefix_match as string[]).includes(
        `${hcl('azurerm_storage_container.archive.name')}/raw/`,
      ),
    );
    expect(raw, 'a rule for the raw/ prefix of the archive container').toBeDefined();
    expect(raw!.enabled).toBe(true);
    const baseBlob = block(block(raw!, 'actions'), 'base_blob');
    expect(baseBlob.tier_to_cool_after_days_since_modification_greater_than).toBe(
      hcl('var.archive_tier_to_cool_enabled ? 30 : null'),
    );
    expect(rootVariable('archive_tier_to_cool_enabled').default).toBe(true);
    expect(baseBlob.delete_after_days_since_modification_greater_than).toBe(
      hcl('var.archive_retention_days'),
    );
    // Failed payloads back failed_items rows: no rule may delete them.
    for (const rule of rules) {
      const prefixes = block(rule, 'filters').prefix_match as string[];
      if (prefixes.some((prefix) => prefix.endsWith('/payloads/'))) {
        expect(block(block(rule, 'actions'), 'base_blob')).not.toHaveProperty(
          'delete_after_days_since_modification_greater_than',
        );
      }
    }
    const retention = rootVariable('archive_retention_days');
    expect(retention.validation).toBeDefined();
    expect(retention.default as number).toBeGreaterThan(30);
  });

  it('disables shared keys on every storage account', () => {
    const accounts = resources(files, 'azurerm_storage_account');
    expect(accounts.length).toBeGreaterThanOrEqual(2);
    for (const account of accounts) {
      expect(account.body.shared_access_key_enabled, account.name).toBe(false);
      expect(account.body.allow_nested_items_to_be_public, account.name).toBe(false);
    }
  });

  it('lets PostgreSQL authenticate with Entra ID only', () => {
    const server = one('azurerm_postgresql_flexible_server');
    const authentication = block(server.body, 'authentication');
    expect(authentication.active_directory_auth_enabled).toBe(true);
    expect(authentication.password_auth_enabled).toBe(false);
    expect(server.body).not.toHaveProperty('administrator_login');
    expect(server.body).not.toHaveProperty('administrator_password');
    expect(one('azurerm_postgresql_flexible_server_active_directory_administrator').body.object_id).toBe(
      hcl('var.administrator.object_id'),
    );
  });

  it('sets the write-heavy server parameters of docs/performance.md and never relaxes durability', () => {
    const parameters = rootVariable('postgres_server_parameters');
    expect(parameters.default).toMatchObject({
      max_wal_size: '8192',
      min_wal_size: '1024',
      checkpoint_timeout: '900',
      checkpoint_completion_target: '0.9',
      wal_compression: 'on',
      wal_buffers: '8192',
      jit: 'off',
      random_page_cost: '1.1',
    });
    for (const unsafe of ['fsync', 'synchronous_commit', 'full_page_writes']) {
      expect(parameters.default).not.toHaveProperty(unsafe);
    }
    expect(one('azurerm_postgresql_flexible_server_configuration').body.for_each).toBe(
      hcl('var.server_parameters'),
    );
  });

  it('makes high availability and the network access variables', () => {
    expect(rootVariable('postgres_high_availability_mode').default).toBe('Disabled');
    expect(rootVariable('network_mode').default).toBe('public');
    const server = one('azurerm_postgresql_flexible_server');
    expect(block(server.body, 'dynamic').high_availability).toBeDefined();
  });
});

describe('the Function App', () => {
  const appSettings = () =>
    locals(files, 'modules/function-app/main.tf').app_settings as Record<string, string>;

  it('runs Node 22 on Flex Consumption with a bounded instance count', () => {
    const app = one('azurerm_function_app_flex_consumption');
    expect(app.body.runtime_name).toBe('node');
    expect(app.body.runtime_version).toBe(hcl('var.node_version'));
    expect(rootVariable('function_node_version').default).toBe('22');
    expect(app.body.maximum_instance_count).toBe(hcl('var.maximum_instance_count'));
    expect(one('azurerm_service_plan').body.sku_name).toBe('FC1');
  });

  it('connects to Event Hubs, host storage and the archive by identity, never by connection string', () => {
    const settings = appSettings();
    expect(settings.EVENTHUB_CONNECTION__fullyQualifiedNamespace).toBe(
      hcl('var.eventhub_fully_qualified_namespace'),
    );
    expect(settings.EVENTHUB_CONNECTION__credential).toBeDefined();
    expect(settings.AzureWebJobsStorage__accountName).toBe(hcl('var.host_storage_account_name'));
    expect(settings.AZURE_STORAGE_ACCOUNT_URL).toBe(hcl('var.archive_account_url'));
    for (const connectionString of [
      'EVENTHUB_CONNECTION',
      'EVENTHUB_CONNECTION_STRING',
      'AzureWebJobsStorage',
      'AZURE_STORAGE_CONNECTION_STRING',
    ]) {
      expect(settings, connectionString).not.toHaveProperty(connectionString);
    }
    const app = one('azurerm_function_app_flex_consumption');
    expect(app.body.storage_authentication_type).toBe('UserAssignedIdentity');
    expect(app.body).not.toHaveProperty('storage_access_key');
    expect(block(app.body, 'identity').type).toBe('UserAssigned');
  });

  it('sets only settings the app reads (@paymetrics/runtime) or the Functions host reads', () => {
    const read = new Set<string>(Object.values(SettingName));
    const hostOnly = /^(AzureWebJobsStorage__|EVENTHUB_CONNECTION__|languageWorkers__)|^AZURE_CLIENT_ID$/;
    const unknown = Object.keys(appSettings()).filter((name) => !read.has(name) && !hostOnly.test(name));
    expect(unknown).toEqual([]);
  });

  it('connects to PostgreSQL with a user and no password', () => {
    const url = appSettings().DATABASE_URL!;
    expect(url).toMatch(/^postgres:\/\/\$\{urlencode\(var\.identity\.name\)\}@/);
    expect(url).toContain('sslmode=require');
    expect(appSettings().PAYMETRICS_DATABASE_AUTH).toBe('entra');
  });

  it('is granted exactly the data roles it needs', () => {
    const grants = resources(files, 'azurerm_role_assignment').filter((assignment) =>
      String(assignment.body.principal_id).includes('azurerm_user_assigned_identity.function'),
    );
    const byRole = Object.fromEntries(
      grants.map((grant) => [grant.body.role_definition_name, grant.body.scope]),
    );
    expect(byRole).toEqual({
      'Azure Event Hubs Data Receiver': hcl('module.event_hubs.hub_id'),
      'Storage Blob Data Owner': hcl('module.storage.host_account_id'),
      'Storage Blob Data Contributor': hcl('module.storage.archive_account_id'),
    });
  });
});

describe('secrets', () => {
  it('appear nowhere: no key, password or connection string literal, no key attribute read', () => {
    const offenders = files.flatMap((file) =>
      strings(file.json)
        .filter(
          ({ value }) =>
            /AccountKey=|SharedAccessKey=|SharedAccessSignature|[?&]sig=|Password=|:\/\/[^/\s:@]+:[^/\s@]+@/i.test(
              value,
            ) || /\.(primary|secondary)_(access_key|connection_string|key)\b|default_primary_key/.test(value),
        )
        .map(({ path, value }) => `${file.path} ${path}: ${value}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps shared access signatures off on the Event Hubs namespace by default', () => {
    expect(rootVariable('eventhub_local_authentication_enabled').default).toBe(false);
    expect(one('azurerm_eventhub_namespace').body.local_authentication_enabled).toBe(
      hcl('var.local_authentication_enabled'),
    );
  });
});

describe('variables and outputs', () => {
  it('all have a description, variables a type', () => {
    const undocumented = [
      ...variables(files, 'modules/').map((variable) => ({ ...variable, kind: 'variable' })),
      ...variables(files).map((variable) => ({ ...variable, kind: 'variable' })),
      ...outputs(files, 'modules/').map((output) => ({ ...output, kind: 'output' })),
      ...outputs(files).map((output) => ({ ...output, kind: 'output' })),
    ].filter(
      (block) =>
        typeof block.body.description !== 'string' ||
        (block.body.description as string).length < 10 ||
        (block.kind === 'variable' && block.body.type === undefined),
    );
    expect(undocumented.map((block) => `${block.file}: ${block.kind} ${block.name}`)).toEqual([]);
  });

  it('validate every root string and number variable', () => {
    const unvalidated = variables(files)
      .filter((variable) => [hcl('string'), hcl('number')].includes(String(variable.body.type)))
      .filter((variable) => variable.body.validation === undefined)
      .map((variable) => variable.name);
    expect(unvalidated).toEqual([]);
  });

  it('the example tfvars sets only declared variables, and every required one', async () => {
    const example = await loadTfvars(`${terraformDir}/terraform.tfvars.example`);
    const declared = new Map(variables(files).map((variable) => [variable.name, variable.body]));
    expect(Object.keys(example).filter((name) => !declared.has(name))).toEqual([]);
    const required = [...declared].filter(([, body]) => !('default' in body)).map(([name]) => name);
    expect(required.filter((name) => !(name in example))).toEqual([]);
  });

  it('passes every module input the module declares, and only those', () => {
    for (const module of modules(files)) {
      const dir = `${String(module.body.source).replace(/^\.\//, '')}/`;
      const declared = new Set(variables(files, dir).map((variable) => variable.name));
      expect(declared.size, dir).toBeGreaterThan(0);
      const passed = Object.keys(module.body).filter(
        (key) => !['source', 'count', 'depends_on'].includes(key),
      );
      expect(
        passed.filter((name) => !declared.has(name)),
        `${module.name}: undeclared inputs`,
      ).toEqual([]);
      expect(
        [...declared].filter((name) => !passed.includes(name)),
        `${module.name}: missing inputs`,
      ).toEqual([]);
    }
  });
});
