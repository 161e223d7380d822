import type { Environment } from '@marcbachmann/cel-js';
import { createRuleEnvironment, type TransactionBindings } from './cel-bindings.js';
import type { RuleSet } from './rule-set.js';
import { RuleSetError } from './rule-set-error.js';

/** A compiled expression; it throws when evaluation fails for an event. */
export type CompiledExpression = (bindings: TransactionBindings) => unknown;

export interface CompiledRule {
  readonly name: string;
  readonly when: CompiledExpression;
  /** Undefined when the value is a constant (the common `1`), which then needs no evaluation. */
  readonly value: CompiledExpression | undefined;
  readonly constantValue: number;
  /** Sorted by name, so dimension objects and row keys come out in one order. */
  readonly dimensionNames: readonly string[];
  readonly dimensions: readonly CompiledExpression[];
}

export interface CompiledRuleSet {
  readonly rules: readonly CompiledRule[];
}

type Role = 'when' | 'value' | 'dimension';

const allowedTypes: Record<Role, ReadonlySet<string>> = {
  when: new Set(['bool', 'dyn']),
  value: new Set(['int', 'uint', 'double', 'dyn']),
  dimension: new Set(['string', 'dyn']),
};

const expectedTypeNames: Record<Role, string> = {
  when: 'bool',
  value: 'a number (int or double)',
  dimension: 'string',
};

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * Parses and type-checks one expression. Type checking here also stores the checked types in
 * the AST, which makes the library skip its per-evaluation type check.
 */
function compileExpression(
  environment: Environment,
  ruleName: string,
  role: Role,
  label: string,
  expression: string,
): CompiledExpression {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environment.parse(expression);
  } catch (error) {
    throw new RuleSetError(
      `rule ${ruleName}: ${label} ${JSON.stringify(expression)} does not parse: ${firstLine(error)}`,
      {
        ruleName,
        cause: error,
      },
    );
  }
  const checked = parsed.check();
  if (!checked.valid) {
    throw new RuleSetError(
      `rule ${ruleName}: ${label} ${JSON.stringify(expression)} is invalid: ${firstLine(checked.error)}`,
      { ruleName, cause: checked.error },
    );
  }
  if (!allowedTypes[role].has(checked.type ?? '')) {
    throw new RuleSetError(
      `rule ${ruleName}: ${label} ${JSON.stringify(expression)} has type ${checked.type}, expected ${expectedTypeNames[role]}`,
      { ruleName },
    );
  }
  // A bare variable needs no interpreter: read the binding (same value the library would return).
  const ast = parsed.ast;
  if (ast.op === 'id') {
    const name = ast.args as keyof TransactionBindings;
    return (bindings) => bindings[name];
  }
  return parsed as CompiledExpression;
}

function constantOf(expression: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(expression) ? Number(expression) : undefined;
}

/** Compiles every expression once; any rule that does not compile throws a RuleSetError naming it. */
export function compileRuleSet(ruleSet: RuleSet): CompiledRuleSet {
  const environment = createRuleEnvironment();
  const rules = ruleSet.rules.map((rule): CompiledRule => {
    const when = compileExpression(environment, rule.name, 'when', 'when', rule.when);
    const valueExpression = compileExpression(environment, rule.name, 'value', 'value', rule.value);
    const constantValue = constantOf(rule.value);
    const dimensionNames = Object.keys(rule.dimensions).sort();
    const dimensions = dimensionNames.map((name) =>
      compileExpression(environment, rule.name, 'dimension', `dimension ${name}`, rule.dimensions[name]!),
    );
    return {
      name: rule.name,
      when,
      value: constantValue === undefined ? valueExpression : undefined,
      constantValue: constantValue ?? 0,
      dimensionNames,
      dimensions,
    };
  });
  return { rules };
}
