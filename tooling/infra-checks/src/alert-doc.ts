import { readFileSync } from 'node:fs';
import { lexer, type Token, type Tokens } from 'marked';

/** One alert of docs/observability.md's `## Alerts` section. */
export interface DocumentedAlert {
  /** The heading, e.g. `Dead-letter size`. */
  readonly title: string;
  /** The heading as a Terraform key: `dead_letter_size`. */
  readonly key: string;
  /** The text of the section's one `kusto` code block, without its closing newline. */
  readonly query: string;
}

/** A row of the summary table at the top of `## Alerts`. */
export interface DocumentedAlertSettings {
  readonly key: string;
  readonly measure: string;
  readonly aggregation: string;
  readonly splitBy: string | undefined;
  readonly threshold: number;
  readonly windowMinutes: number;
  readonly frequencyMinutes: number;
  readonly severity: number;
}

export interface AlertDoc {
  readonly alerts: readonly DocumentedAlert[];
  readonly settings: readonly DocumentedAlertSettings[];
}

export const alertKey = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** Reads the `## Alerts` section: each `###` subsection's kusto query, and the summary table. */
export function readAlertDoc(path: string): AlertDoc {
  const tokens = sectionTokens(lexer(readFileSync(path, 'utf8')), 'Alerts');
  const alerts: DocumentedAlert[] = [];
  let title: string | undefined;
  let queries: string[] = [];
  const flush = () => {
    if (title === undefined) return;
    if (queries.length !== 1) throw new Error(`"${title}" has ${queries.length} kusto blocks, expected 1`);
    alerts.push({ title, key: alertKey(title), query: queries[0]! });
  };
  for (const token of tokens) {
    if (token.type === 'heading' && (token as Tokens.Heading).depth === 3) {
      flush();
      title = (token as Tokens.Heading).text;
      queries = [];
    } else if (token.type === 'code' && (token as Tokens.Code).lang === 'kusto' && title !== undefined) {
      queries.push((token as Tokens.Code).text);
    }
  }
  flush();
  const table = tokens.find((token): token is Tokens.Table => token.type === 'table');
  if (!table) throw new Error('## Alerts has no summary table');
  return { alerts, settings: table.rows.map((row) => settingsRow(row.map((cell) => cell.text))) };
}

function sectionTokens(tokens: Token[], heading: string): Token[] {
  const start = tokens.findIndex(
    (token) => token.type === 'heading' && (token as Tokens.Heading).depth === 2 && token.text === heading,
  );
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const end = tokens.findIndex(
    (token, index) => index > start && token.type === 'heading' && (token as Tokens.Heading).depth <= 2,
  );
  return tokens.slice(start + 1, end < 0 ? undefined : end);
}

// | alert | measure column | aggregation over the window | split by | threshold | window / frequency | severity |
function settingsRow(cells: string[]): DocumentedAlertSettings {
  const [alert, measure, aggregation, splitBy, threshold, timing, severity] = cells.map((cell) =>
    cell.replace(/`/g, '').trim(),
  );
  const number = (text: string | undefined, what: string): number => {
    const match = /-?[\d,]*\.?\d+/.exec(text ?? '');
    if (!match) throw new Error(`${alert}: no number in ${what} "${text}"`);
    return Number(match[0].replace(/,/g, ''));
  };
  const [window, frequency] = (timing ?? '').split('/');
  return {
    key: alertKey(alert ?? ''),
    measure: measure ?? '',
    aggregation: aggregation ?? '',
    splitBy: splitBy ? splitBy : undefined,
    threshold: number(threshold, 'threshold'),
    windowMinutes: number(window, 'window'),
    frequencyMinutes: number(frequency, 'frequency'),
    severity: number(severity, 'severity'),
  };
}

/** The `paymetrics.*` metric names a query mentions. */
export function metricNames(query: string): string[] {
  return [...new Set([...query.matchAll(/"(paymetrics\.[a-z0-9_.]+)"/g)].map((match) => match[1]!))];
}

/** The attribute keys a query reads from `customDimensions`. */
export function dimensionKeys(query: string): string[] {
  return [...new Set([...query.matchAll(/customDimensions\["([a-z_]+)"\]/g)].map((match) => match[1]!))];
}
