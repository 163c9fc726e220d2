/**
 * Errors of the store module: missing blobs and tags, directories that are not OCI image layouts,
 * malformed `index.json`, and a lock that could not be taken.
 *
 * @module
 */
import { NotFoundError, OciKitError, InvalidInputError } from '../errors.js';

/** A blob that the store does not hold (`ERR_BLOB_NOT_FOUND`). */
export class BlobNotFoundError extends NotFoundError {
  constructor(
    readonly digest: string,
    where?: string,
    /** The manifest or index that refers to the missing blob, when known. */
    readonly referencedBy?: string,
  ) {
    const from = referencedBy ? ` (referenced by ${referencedBy})` : '';
    super(`blob ${digest}${from} not found${where ? ` in ${where}` : ''}`, {
      code: 'ERR_BLOB_NOT_FOUND',
      hint: 'pull or build the image again, or run "oci-kit prune" only after untagging what you no longer need',
    });
  }
}

/** A tag that the store does not hold (`ERR_TAG_NOT_FOUND`). */
export class TagNotFoundError extends NotFoundError {
  constructor(
    readonly tag: string,
    where?: string,
  ) {
    super(`no image named ${tag}${where ? ` in ${where}` : ''}`, {
      code: 'ERR_TAG_NOT_FOUND',
      hint: 'list the images with "oci-kit images"',
    });
  }
}

/** A directory that is not an OCI image layout, or one whose files are damaged (`ERR_NOT_OCI_LAYOUT`, `ERR_INVALID_LAYOUT`). */
export class InvalidLayoutError extends OciKitError {
  constructor(code: 'ERR_NOT_OCI_LAYOUT' | 'ERR_INVALID_LAYOUT', message: string, hint?: string) {
    super(code, message, hint === undefined ? {} : { hint });
  }
}

/** The layout's lock stayed held by a live process for too long (`ERR_STORE_LOCKED`). */
export class StoreLockedError extends OciKitError {
  constructor(lockPath: string, holder: string) {
    super('ERR_STORE_LOCKED', `the store is locked by another process (${holder}): ${lockPath}`, {
      hint: 'wait for the other oci-kit process to finish; if none runs, delete the lock file',
    });
  }
}

/** A tag name or descriptor given to the store that cannot be stored (`ERR_INVALID_TAG`, `ERR_INVALID_DESCRIPTOR`). */
export class InvalidStoreInputError extends InvalidInputError {}
