import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRuleSet } from './compile-rule-set.js';
import { defaultRuleSet } from './default-rules.js';
import { parseRuleSet } from './rule-set.js';
import { RuleSetError } from './rule-set-error.js';

const shippedJson: unknown = JSON.parse(
  readFileSync(new URL('./default-rules.json', import.meta.url), 'utf8'),
);

function errorOf(work: () => unknown): RuleSetError {
  try {
    work();
  } catch (error) {
    if (error instanceof RuleSetError) return error;
    throw error;
  }
  throw new Error('expected a RuleSetError');
}

describe('parseRuleSet', () => {
  it('reads the shipped default-rules.json as exactly defaultRuleSet', () => {
    expect(parseRuleSet(shippedJson)).toEqual(defaultRuleSet);
  });

  it('keeps decline_count by merchant_id and decline_code in the defaults (a contract)', () => {
    const rule = defaultRuleSet.rules.find((candidate) => candidate.name === 'decline_count');
    expect(rule).toMatchObject({ when: 'status == "declined"' });
    expect(Object.keys(rule!.dimensions).sort()).toEqual(['decline_code', 'merchant_id']);
  });

  it('defaults value to 1 and dimensions to none', () => {
    const ruleSet = parseRuleSet({ rules: [{ name: 'all_events', when: 'true' }] });
    expect(ruleSet.rules[0]).toEqual({ name: 'all_events', when: 'true', value: '1', dimensions: {} });
  });

  it('names the rule and the problem', () => {
    const error = errorOf(() =>
      parseRuleSet({
        rules: [
          { name: 'ok_rule', when: 'true' },
          { name: 'bad_rule', when: '' },
        ],
      }),
    );
    expect(error.ruleName).toBe('bad_rule');
    expect(error.message).toMatch(/^rule bad_rule \(when\): when must be a non-empty CEL expression/);
  });

  it('names a rule without a usable name by its position', () => {
    const error = errorOf(() => parseRuleSet({ rules: [{ name: 'Not-Snake', when: 'true' }] }));
    expect(error.message).toMatch(/^rule Not-Snake \(name\): name must be snake_case/);
    expect(errorOf(() => parseRuleSet({ rules: [{ when: 'true' }] })).message).toMatch(/^rule #1 \(name\)/);
  });

  it('rejects duplicate names, unknown keys and a missing rules array', () => {
    expect(
      errorOf(() =>
        parseRuleSet({
          rules: [
            { name: 'a', when: 'true' },
            { name: 'a', when: 'true' },
          ],
        }),
      ).message,
    ).toContain('duplicate rule name a');
    expect(errorOf(() => parseRuleSet({ rules: [{ name: 'a', when: 'true', wehn: 'x' }] })).message).toMatch(
      /^rule a/,
    );
    expect(errorOf(() => parseRuleSet({})).message).toMatch(/^rule set \(rules\)/);
  });
});

describe('compileRuleSet', () => {
  it('compiles the default rules', () => {
    const compiled = compileRuleSet(defaultRuleSet);
    expect(compiled.rules.map((rule) => rule.name)).toEqual(defaultRuleSet.rules.map((rule) => rule.name));
  });

  it('fails on CEL that does not parse, naming the rule and the expression', () => {
    const ruleSet = parseRuleSet({ rules: [{ name: 'broken', when: 'status == && true' }] });
    const error = errorOf(() => compileRuleSet(ruleSet));
    expect(error.ruleName).toBe('broken');
    expect(error.message).toContain('rule broken');
    expect(error.message).toContain('"status == && true"');
  });

  it('fails at compile time on an unknown variable (a typo)', () => {
    const ruleSet = parseRuleSet({ rules: [{ name: 'typo', when: 'stauts == "declined"' }] });
    expect(errorOf(() => compileRuleSet(ruleSet)).message).toMatch(
      /rule typo: when "stauts == \\"declined\\"" is invalid: Unknown variable: stauts/,
    );
  });

  it('fails at compile time on type errors and on the wrong result type', () => {
    const cases = [
      { name: 'bad_compare', when: 'status == 1' },
      { name: 'not_bool', when: 'merchantId' },
      { name: 'string_value', when: 'true', value: 'merchantId' },
      { name: 'number_dimension', when: 'true', dimensions: { amount: 'amountMinor' } },
    ];
    for (const rule of cases) {
      const error = errorOf(() => compileRuleSet(parseRuleSet({ rules: [rule] })));
      expect(error.ruleName).toBe(rule.name);
    }
  });

  it('lets rule authors write natural numeric literals', () => {
    const ruleSet = parseRuleSet({
      rules: [
        { name: 'int_literal', when: 'amountMinor >= 1000000 && amountMinor % 100 == 0' },
        {
          name: 'double_literal',
          when: 'riskScore != null && riskScore >= 80.0 && processorLatencyMs > 1000',
        },
        { name: 'int_vs_double', when: 'riskScore != null && riskScore >= 80 && amountMinor > 10.5' },
        {
          name: 'optional_fields',
          when: 'cardBrand != null && declineCode == null && has(metadata.channel_partner)',
        },
        { name: 'event_time', when: 'occurredAt.getHours("UTC") >= 22 && schemaVersion == 1' },
      ],
    });
    expect(() => compileRuleSet(ruleSet)).not.toThrow();
  });
});
