/**
 * The one error base class of oci-kit. Every error the library throws on purpose is an
 * {@link OciKitError} (or a subclass) with a stable string `code`, so callers can branch on
 * `err.code` without parsing messages. Each domain module defines its own subclasses next to the
 * code that throws them.
 *
 * @module
 */

/** Options accepted by every oci-kit error constructor. */
export interface OciKitErrorOptions {
  /** The underlying error, kept as the standard `cause`. */
  cause?: unknown;
  /** A short suggestion of what the user can do about it, printed by the CLI after the message. */
  hint?: string;
}

/** Base class of every error oci-kit throws on purpose. */
export class OciKitError extends Error {
  /** A stable, machine-readable code such as `ERR_DIGEST_MISMATCH`. */
  readonly code: string;
  /** What the user can do about it, when there is something useful to say. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: OciKitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** Input that does not have the expected shape (a malformed reference, manifest, flag, ...). */
export class InvalidInputError extends OciKitError {
  constructor(message: string, options: OciKitErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'ERR_INVALID_INPUT', message, options);
  }
}

/** Something named (an image, a blob, a tag, a stage) does not exist. */
export class NotFoundError extends OciKitError {
  constructor(message: string, options: OciKitErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'ERR_NOT_FOUND', message, options);
  }
}

/** True when `err` is an oci-kit error, optionally with the given code. */
export function isOciKitError(err: unknown, code?: string): err is OciKitError {
  return err instanceof OciKitError && (code === undefined || err.code === code);
}
