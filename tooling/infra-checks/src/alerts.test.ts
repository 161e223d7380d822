import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AlertDoc, dimensionKeys, metricNames, readAlertDoc } from './alert-doc.js';
import { observabilityDoc, terraformDir } from './repo-paths.js';
import { contractInstruments, contractMetricNames } from './telemetry-contract.js';
import {
  block,
  hcl,
  loadTerraformFiles,
  locals,
  resources,
  type TerraformFile,
  variables,
} from './terraform-files.js';

interface AlertDefinition {
  readonly description: string;
  readonly measure: string;
  readonly aggregation: string;
  readonly split_by: string | null;
  readonly query: string;
}

let files: TerraformFile[];
let doc: AlertDoc;
let definitions: Record<string, AlertDefinition>;

beforeAll(async () => {
  files = await loadTerraformFiles(terraformDir);
  doc = readAlertDoc(observabilityDoc);
  definitions = locals(files, 'modules/monitoring/alerts.tf').alert_queries as Record<
    string,
    AlertDefinition
  >;
});

/** Dimensions a query reads that none of the instruments it names is recorded with. */
function unrecordedDimensions(query: string): string[] {
  const recorded = new Set(metricNames(query).flatMap((name) => contractInstruments[name]?.attributes ?? []));
  return dimensionKeys(query).filter((key) => !recorded.has(key));
}

const issueAlerts = [
  'dead_letter_size',
  'processing_latency',
  'error_rate',
  'storage_failures',
  'stalled_partition',
];

describe('alerts', () => {
  it('are the five of issue 13, in Terraform and in docs/observability.md', () => {
    expect(Object.keys(definitions).sort()).toEqual([...issueAlerts].sort());
    expect(doc.alerts.map((alert) => alert.key).sort()).toEqual([...issueAlerts].sort());
    expect(doc.settings.map((row) => row.key).sort()).toEqual([...issueAlerts].sort());
  });

  it("use docs/observability.md's query verbatim", () => {
    for (const alert of doc.alerts) {
      // A heredoc ends with a newline; the fenced block's text does not.
      expect(definitions[alert.key]?.query, alert.title).toBe(`${alert.query}\n`);
    }
  });

  it('query only metric names of the telemetry contract', () => {
    for (const [key, definition] of Object.entries(definitions)) {
      const names = metricNames(definition.query);
      expect(names.length, key).toBeGreaterThan(0);
      expect(
        names.filter((name) => !contractMetricNames.has(name)),
        `${key}: names the exporter never writes`,
      ).toEqual([]);
    }
  });

  it('read only dimensions the instruments they name are recorded with', () => {
    for (const [key, definition] of Object.entries(definitions)) {
      expect(unrecordedDimensions(definition.query), key).toEqual([]);
    }
  });

  it('measure a column the query produces, split by a column it keeps', () => {
    for (const [key, definition] of Object.entries(definitions)) {
      expect(definition.query, key).toMatch(new RegExp(`\\b${definition.measure} = `));
      expect(definition.query, key).toMatch(/\btimestamp\b/);
      if (definition.split_by !== null) {
        expect(definition.query, key).toMatch(
          new RegExp(`\\bby ${definition.split_by}\\b|, ${definition.split_by},`),
        );
      }
    }
  });

  it("match the doc's table: measure, aggregation, split, and the default threshold, window, frequency, severity", () => {
    const aggregationNames: Record<string, string> = {
      maximum: 'Maximum',
      minimum: 'Minimum',
      average: 'Average',
      total: 'Total',
    };
    const minutes = (duration: string) => {
      const match = /^PT(\d+)([MH])$/.exec(duration);
      if (!match) throw new Error(`unexpected duration ${duration}`);
      return Number(match[1]) * (match[2] === 'H' ? 60 : 1);
    };
    const alerts = variables(files).find((candidate) => candidate.name === 'alerts');
    expect(alerts?.body.validation, 'variable "alerts" with validation').toBeDefined();
    const alertsType = String(alerts!.body.type);
    for (const row of doc.settings) {
      const definition = definitions[row.key]!;
      expect(definition.measure, row.key).toBe(row.measure);
      expect(definition.aggregation, row.key).toBe(aggregationNames[row.aggregation]);
      expect(definition.split_by ?? undefined, row.key).toBe(row.splitBy);

      const alertType = new RegExp(`${row.key}\\s*=\\s*optional\\(object\\(\\{([^}]*)\\}\\)`).exec(
        alertsType,
      );
      expect(alertType, `alerts.${row.key} in variable "alerts"`).not.toBeNull();
      const defaultOf = (field: string) => {
        const match = new RegExp(`${field}\\s*=\\s*optional\\(\\w+,\\s*"?([^",)]+)"?\\)`).exec(
          alertType![1]!,
        );
        if (!match) throw new Error(`alerts.${row.key}: no default for ${field}`);
        return match[1]!;
      };
      expect(Number(defaultOf('threshold')), `${row.key} threshold`).toBe(row.threshold);
      expect(Number(defaultOf('severity')), `${row.key} severity`).toBe(row.severity);
      expect(minutes(defaultOf('window_duration')), `${row.key} window`).toBe(row.windowMinutes);
      expect(minutes(defaultOf('evaluation_frequency')), `${row.key} frequency`).toBe(row.frequencyMinutes);
    }
  });

  it('are scheduled query rules over Application Insights that notify the action group', () => {
    const [rule] = resources(files, 'azurerm_monitor_scheduled_query_rules_alert_v2');
    expect(rule!.body.for_each).toBe(hcl('local.alert_queries'));
    expect(rule!.body.scopes).toEqual([hcl('azurerm_application_insights.this.id')]);
    for (const setting of ['severity', 'window_duration', 'evaluation_frequency']) {
      expect(rule!.body[setting]).toBe(hcl(`var.alerts[each.key].${setting}`));
    }
    const criteria = block(rule!.body, 'criteria');
    expect(criteria.query).toBe(hcl('each.value.query'));
    expect(criteria.threshold).toBe(hcl('var.alerts[each.key].threshold'));
    expect(block(rule!.body, 'action').action_groups).toEqual([hcl('azurerm_monitor_action_group.this.id')]);
    const [group] = resources(files, 'azurerm_monitor_action_group');
    expect(JSON.stringify(group!.body)).toContain('email_receiver');
    expect(variables(files).find((variable) => variable.name === 'alert_emails')).toBeDefined();
  });
});

describe('the telemetry contract', () => {
  it('holds the eleven instruments of ARCHITECTURE.md, with the attributes the alerts split by', () => {
    expect(contractMetricNames.size).toBe(11);
    expect(contractInstruments['paymetrics.events.received']?.attributes).toEqual([
      'source_kind',
      'partition',
    ]);
    expect(contractInstruments['paymetrics.storage.failures']?.attributes).toContain('store');
  });
});

describe('the workbook', () => {
  const workbook = () =>
    JSON.parse(readFileSync(`${terraformDir}/modules/monitoring/workbook.json`, 'utf8')) as {
      items: Array<{ name: string; type: number; content: { query?: string } }>;
    };

  it('shows throughput, lag, batch duration, dead-letter depth by code, storage failures, error rate, open anomalies', () => {
    const queries = workbook()
      .items.filter((item) => item.type === 3)
      .map((item) => item.content.query ?? '');
    const shows = (metric: string, by?: string) =>
      queries.some(
        (query) => query.includes(`"${metric}"`) && (by === undefined || query.includes(`["${by}"]`)),
      );
    expect(shows('paymetrics.events.received')).toBe(true);
    expect(shows('paymetrics.event.lag')).toBe(true);
    expect(shows('paymetrics.batch.duration', 'outcome')).toBe(true);
    expect(shows('paymetrics.dead_letter.pending', 'status')).toBe(true);
    expect(shows('paymetrics.events.dead_lettered', 'code')).toBe(true);
    expect(shows('paymetrics.storage.failures', 'store')).toBe(true);
    expect(queries.some((query) => query.includes('deadLettered / received'))).toBe(true);
    expect(shows('paymetrics.anomalies.open', 'metric')).toBe(true);
  });

  it('queries only metric names and dimensions of the telemetry contract', () => {
    const queries = workbook().items.map((item) => item.content.query ?? '');
    const names = queries.flatMap(metricNames);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !contractMetricNames.has(name))).toEqual([]);
    expect(queries.flatMap(unrecordedDimensions)).toEqual([]);
  });
});
