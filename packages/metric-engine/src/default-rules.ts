import type { RuleSet } from './rule-set.js';

/** The rule set used when none is configured; the same content as rules/default-rules.json (a test keeps them equal). */
export const defaultRuleSet: RuleSet = {
  description:
    "Default paymetrics rules. Each rule adds `value` (default 1) to metric `name` for every event where `when` is true, per 5-minute window and dimensions. Expressions are CEL over the transaction's fields by contract name: amountMinor and schemaVersion are CEL int (write 1000000); processorLatencyMs is a double; riskScore is a number or null (write riskScore != null && riskScore >= 80.0); cardBrand and declineCode are strings or null; metadata is a map of strings, empty when absent (write has(metadata.key)); occurredAt is a timestamp. See packages/metric-engine/README.md.",
  rules: [
    {
      name: 'decline_count',
      description: 'Declined transactions per merchant and decline code.',
      when: 'status == "declined"',
      value: '1',
      dimensions: {
        decline_code: 'declineCode',
        merchant_id: 'merchantId',
      },
    },
    {
      name: 'high_value_amount',
      description:
        'Transactions of at least 1,000,000 minor units (10,000.00 in two-decimal currencies); value is the amount in minor units, so value_sum is the high-value volume.',
      when: 'amountMinor >= 1000000',
      value: 'amountMinor',
      dimensions: {
        currency: 'currency',
        merchant_id: 'merchantId',
      },
    },
    {
      name: 'risk_score_band',
      description:
        "Transactions carrying a risk score, by band: high at 80 or above, medium at 50 or above, low below 50; value is the score, so value_sum / value_count is the band's mean score.",
      when: 'riskScore != null',
      value: 'riskScore',
      dimensions: {
        band: 'riskScore >= 80.0 ? "high" : riskScore >= 50.0 ? "medium" : "low"',
      },
    },
    {
      name: 'declines_by_card_brand',
      description: 'Declined card transactions per card brand and decline code.',
      when: 'paymentMethod == "card" && status == "declined"',
      value: '1',
      dimensions: {
        card_brand: 'cardBrand',
        decline_code: 'declineCode',
      },
    },
    {
      name: 'error_count',
      description: 'Transactions the processor answered with an error, per merchant.',
      when: 'status == "error"',
      value: '1',
      dimensions: {
        merchant_id: 'merchantId',
      },
    },
  ],
};
