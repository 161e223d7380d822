import defaultRulesJson from './default-rules.json' with { type: 'json' };
import { parseRuleSet, type RuleSet } from './rule-set.js';

/**
 * The rule set used when none is configured: default-rules.json beside this file, the one copy,
 * which a user can also take as the starting point of a rules file (`--rules FILE`).
 */
export const defaultRuleSet: RuleSet = parseRuleSet(defaultRulesJson);
