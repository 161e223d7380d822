/** A rule set that cannot be used: invalid JSON shape, or a CEL expression that does not compile. */
export class RuleSetError extends Error {
  override readonly name = 'RuleSetError';
  /** The rule at fault, when the problem is inside one rule. */
  readonly ruleName: string | undefined;

  constructor(
    message: string,
    options: { readonly ruleName?: string | undefined; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.ruleName = options.ruleName;
  }
}
