/**
 * Errors of the archive module: archives that are not in a known format, entries that try to leave
 * the archive, metadata files too large to trust, manifests naming blobs the archive lacks, and
 * image surgery that cannot be done (a rebase whose old base is not a prefix, say).
 *
 * @module
 */
import { OciKitError, type OciKitErrorOptions } from '../errors.js';

/** Codes thrown by the archive module. */
export type ArchiveErrorCode =
  | 'ERR_ARCHIVE_FORMAT'
  | 'ERR_ARCHIVE_PATH'
  | 'ERR_ARCHIVE_TOO_LARGE'
  | 'ERR_ARCHIVE_MISSING_BLOB'
  | 'ERR_ARCHIVE_INVALID'
  | 'ERR_ARCHIVE_TTY'
  | 'ERR_IMPORT_SOURCE'
  | 'ERR_IMAGE_SURGERY';

/** Something wrong with an archive being read or written; `code` says what. */
export class ArchiveError extends OciKitError {
  constructor(code: ArchiveErrorCode, message: string, options: OciKitErrorOptions = {}) {
    super(code, message, options);
  }
}

/** An archive whose layout oci-kit does not recognise (`ERR_ARCHIVE_FORMAT`). */
export function unknownFormat(why: string): ArchiveError {
  return new ArchiveError('ERR_ARCHIVE_FORMAT', `not an image archive: ${why}`, {
    hint: 'load takes archives written by "docker save", "oci-kit save", "skopeo copy ... docker-archive:" or an OCI archive (a tarred image layout), optionally gzip-compressed',
  });
}

/** An archive entry or a path named by archive metadata that escapes the archive (`ERR_ARCHIVE_PATH`). */
export function pathEscape(path: string, where: string): ArchiveError {
  return new ArchiveError('ERR_ARCHIVE_PATH', `unsafe path ${JSON.stringify(path)} in ${where}: it leaves the archive`, {
    hint: 'the archive is damaged or hostile; do not load it',
  });
}

/** A manifest or archive index naming a blob the archive does not hold (`ERR_ARCHIVE_MISSING_BLOB`). */
export function missingBlob(what: string, where: string): ArchiveError {
  return new ArchiveError('ERR_ARCHIVE_MISSING_BLOB', `${where} names ${what}, which the archive does not contain`, {
    hint: 'the archive is incomplete; write it again',
  });
}

/** Metadata that is not what the format requires (`ERR_ARCHIVE_INVALID`). */
export function invalidArchive(message: string, cause?: unknown): ArchiveError {
  return new ArchiveError('ERR_ARCHIVE_INVALID', message, cause === undefined ? {} : { cause });
}

/** Image surgery that cannot be done as asked (`ERR_IMAGE_SURGERY`). */
export class ImageSurgeryError extends OciKitError {
  constructor(message: string, options: OciKitErrorOptions = {}) {
    super('ERR_IMAGE_SURGERY', message, options);
  }
}
