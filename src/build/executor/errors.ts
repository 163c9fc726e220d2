/**
 * Errors of the RUN executors: no usable sandbox on this host, a user the image does not know, a
 * sandbox that failed to set itself up.
 *
 * @module
 */
import { OciKitError, type OciKitErrorOptions } from '../../errors.js';

/** Neither bubblewrap nor util-linux `unshare` can run commands here (or the OS is not Linux). */
export class NoSandboxError extends OciKitError {
  constructor(message: string, options: OciKitErrorOptions = {}) {
    super('ERR_NO_SANDBOX', message, {
      hint:
        options.hint ??
        'install bubblewrap (apt-get install bubblewrap, dnf install bubblewrap, apk add bubblewrap), ' +
          'or pass your own Executor (the `executor` option) to run commands elsewhere',
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}

/** The image's USER cannot be resolved from its /etc/passwd or /etc/group (Docker fails the same way). */
export class UnknownUserError extends OciKitError {
  constructor(message: string, options: OciKitErrorOptions = {}) {
    super('ERR_UNKNOWN_USER', message, options);
  }
}

/** The sandbox could not be set up (bad rootfs, mount failure, unusable working directory). */
export class SandboxSetupError extends OciKitError {
  constructor(message: string, options: OciKitErrorOptions = {}) {
    super('ERR_SANDBOX_SETUP', message, options);
  }
}
