/**
 * The error thrown for image references that break the distribution/reference grammar or Docker's
 * normalization rules.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';

/** Error code of every reference parsing failure. */
export const ERR_INVALID_REFERENCE = 'ERR_INVALID_REFERENCE';

/**
 * An image reference that Docker would refuse. `reason` carries Docker's own wording (for example
 * `repository name must be lowercase`), `input` the string as given.
 */
export class InvalidReferenceError extends InvalidInputError {
  readonly input: string;
  readonly reason: string;

  constructor(input: string, reason: string, options: { cause?: unknown; hint?: string | undefined } = {}) {
    const shown = input.length > 300 ? `${input.slice(0, 300)}...` : input;
    super(`invalid reference "${shown}": ${reason}`, {
      code: ERR_INVALID_REFERENCE,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      ...(options.hint === undefined ? {} : { hint: options.hint }),
    });
    this.input = input;
    this.reason = reason;
  }
}
