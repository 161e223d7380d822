import { z } from 'zod';
import { RuleSetError } from './rule-set-error.js';

const snakeCase = /^[a-z][a-z0-9_]*$/;

export const metricRuleSchema = z
  .object({
    name: z
      .string()
      .max(63, { error: 'name must be at most 63 characters' })
      .regex(snakeCase, { error: 'name must be snake_case: a-z, 0-9 and _, starting with a letter' }),
    description: z.string().optional(),
    /** CEL condition; the rule counts an event when it is true. */
    when: z.string().trim().min(1, { error: 'when must be a non-empty CEL expression' }),
    /** CEL number added to the metric for each matching event. */
    value: z.string().trim().min(1, { error: 'value must be a non-empty CEL expression' }).default('1'),
    /** Dimension name to a CEL expression yielding a string. */
    dimensions: z
      .record(
        z.string().regex(snakeCase, { error: 'dimension names must be snake_case' }),
        z.string().trim().min(1, { error: 'dimension expressions must be non-empty CEL expressions' }),
      )
      .default({}),
  })
  .strict();

export const ruleSetSchema = z
  .object({
    description: z.string().optional(),
    rules: z.array(metricRuleSchema),
  })
  .strict()
  .superRefine((ruleSet, ctx) => {
    const seen = new Set<string>();
    ruleSet.rules.forEach((rule, index) => {
      if (seen.has(rule.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'name'],
          message: `duplicate rule name ${rule.name}`,
        });
      }
      seen.add(rule.name);
    });
  });

export type MetricRule = z.output<typeof metricRuleSchema>;
export type RuleSet = z.output<typeof ruleSetSchema>;

/** Validates a rule set read from JSON; the error names the rule (by name, or by position) and the problem. */
export function parseRuleSet(json: unknown): RuleSet {
  const parsed = ruleSetSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const [top, index, ...rest] = issue.path;
  if (top === 'rules' && typeof index === 'number') {
    const rawName = (json as { rules?: readonly { name?: unknown }[] }).rules?.[index]?.name;
    const ruleName = typeof rawName === 'string' ? rawName : undefined;
    const where = rest.length > 0 ? ` (${rest.map(String).join('.')})` : '';
    const label = ruleName === undefined ? `rule #${index + 1}` : `rule ${ruleName}`;
    throw new RuleSetError(`${label}${where}: ${issue.message}`, { ruleName, cause: parsed.error });
  }
  const where = issue.path.length > 0 ? ` (${issue.path.map(String).join('.')})` : '';
  throw new RuleSetError(`rule set${where}: ${issue.message}`, { cause: parsed.error });
}
