/**
 * The build module's errors. A failed step is a {@link BuildStepError} naming the instruction and
 * its `Dockerfile:LINE`, wrapping the cause; the other classes are the specific failures a build
 * can have (a source outside the context, a stage cycle, a checksum mismatch, ...).
 *
 * @module
 */
import { OciKitError, type OciKitErrorOptions } from '../errors.js';

/** A build failed at one step; `message` says which instruction and where. */
export class BuildStepError extends OciKitError {
  /** `Dockerfile:12`, or `step 3` for builder (fluent API) steps. */
  readonly location: string;
  readonly instruction: string;
  constructor(location: string, instruction: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint = cause instanceof OciKitError ? cause.hint : undefined;
    super('ERR_BUILD_STEP', `${location}: ${instruction}: ${reason}`, hint === undefined ? { cause } : { cause, hint });
    this.location = location;
    this.instruction = instruction;
  }
}

/** Generic build failure with a specific code. */
export class BuildError extends OciKitError {
  constructor(code: string, message: string, options: OciKitErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A COPY/ADD source resolves outside the build context. */
export class ContextEscapeError extends BuildError {
  constructor(source: string) {
    super('ERR_OUTSIDE_CONTEXT', `source "${source}" is outside the build context`, {
      hint: 'COPY and ADD can only read files inside the context directory; move the file into it',
    });
  }
}

/** A COPY/ADD source pattern matched nothing. */
export class SourceNotFoundError extends BuildError {
  constructor(source: string, where = 'the build context') {
    super('ERR_SOURCE_NOT_FOUND', `"${source}" not found in ${where}`, {
      hint: 'check the path, and that .dockerignore does not exclude it',
    });
  }
}
