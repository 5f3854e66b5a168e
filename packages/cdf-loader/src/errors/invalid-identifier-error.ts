/**
 * An identifier CDF would reject. Only the load that passed it rejects; it is never sent.
 * A `TypeError`, because the argument itself is wrong.
 */
export class InvalidIdentifierError extends TypeError {
  override name = 'InvalidIdentifierError';
  /** The identifier as given. */
  readonly identifier: unknown;

  constructor(message: string, identifier: unknown) {
    super(message);
    this.identifier = identifier;
  }
}
