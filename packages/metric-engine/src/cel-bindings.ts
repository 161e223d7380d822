import { Environment } from '@marcbachmann/cel-js';
import type { PaymentTransaction } from '@paymetrics/schemas';

/**
 * How a transaction appears to rule expressions. @marcbachmann/cel-js represents CEL `int` as
 * a JS bigint and `double` as a JS number, and rejects a plain number for an `int` variable;
 * comparisons between int and double are allowed. So:
 * - integers of the contract (`amountMinor`, `schemaVersion`) are `int`, handed over as bigint,
 *   so `amountMinor >= 1000000`, `amountMinor % 100 == 0` and `value: "amountMinor"` work;
 * - `processorLatencyMs` is `double` (it may be fractional); `processorLatencyMs > 1000` works;
 * - optional fields a rule may test for absence are `dyn` and bound to null when absent, since a
 *   typed `string` variable cannot be compared with null: `cardBrand != null`,
 *   `riskScore != null && riskScore >= 80.0` (a number when present, compared as a double);
 * - `metadata` is a `map<string, string>`, empty when absent, so `has(metadata.key)` works;
 * - `occurredAt` is a CEL timestamp (event time; the library names the type
 *   `google.protobuf.Timestamp`), so `occurredAt.getHours("UTC")` works.
 */
export const celVariables = {
  schemaVersion: 'int',
  eventId: 'string',
  transactionId: 'string',
  occurredAt: 'google.protobuf.Timestamp',
  merchantId: 'string',
  amountMinor: 'int',
  currency: 'string',
  paymentMethod: 'string',
  cardBrand: 'dyn',
  channel: 'string',
  country: 'string',
  status: 'string',
  declineCode: 'dyn',
  processorLatencyMs: 'double',
  riskScore: 'dyn',
  metadata: 'map<string, string>',
} as const satisfies Record<keyof PaymentTransaction, string>;

const emptyMetadata: Readonly<Record<string, string>> = Object.freeze({});

/**
 * One reusable activation object per engine: the engine points it at each event in turn, and
 * getters convert a field only when an expression reads it (a bigint or Date is made only then).
 */
export class TransactionBindings {
  transaction: PaymentTransaction | undefined;
  occurredAtMs = 0;

  #txn(): PaymentTransaction {
    return this.transaction!;
  }
  get schemaVersion(): bigint {
    return BigInt(this.#txn().schemaVersion);
  }
  get eventId(): string {
    return this.#txn().eventId;
  }
  get transactionId(): string {
    return this.#txn().transactionId;
  }
  get occurredAt(): Date {
    return new Date(this.occurredAtMs);
  }
  get merchantId(): string {
    return this.#txn().merchantId;
  }
  get amountMinor(): bigint {
    return BigInt(this.#txn().amountMinor);
  }
  get currency(): string {
    return this.#txn().currency;
  }
  get paymentMethod(): string {
    return this.#txn().paymentMethod;
  }
  get cardBrand(): string | null {
    return this.#txn().cardBrand ?? null;
  }
  get channel(): string {
    return this.#txn().channel;
  }
  get country(): string {
    return this.#txn().country;
  }
  get status(): string {
    return this.#txn().status;
  }
  get declineCode(): string | null {
    return this.#txn().declineCode ?? null;
  }
  get processorLatencyMs(): number {
    return this.#txn().processorLatencyMs;
  }
  get riskScore(): number | null {
    return this.#txn().riskScore ?? null;
  }
  get metadata(): Readonly<Record<string, string>> {
    return this.#txn().metadata ?? emptyMetadata;
  }
}

/** A fresh environment that knows only the transaction's variables: an unknown name fails type checking. */
export function createRuleEnvironment(): Environment {
  const environment = new Environment({ unlistedVariablesAreDyn: false });
  for (const [name, type] of Object.entries(celVariables)) environment.registerVariable(name, type);
  return environment;
}
