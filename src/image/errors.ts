/**
 * Errors of the image model: documents (manifests, indexes, descriptors, configs) that break the
 * OCI image-spec or Docker schema 2 shape, manifests oci-kit refuses to read (schema 1), and indexes
 * without a manifest for the wanted platform.
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from '../errors.js';

/** Code of a malformed manifest, index or descriptor. */
export const ERR_INVALID_MANIFEST = 'ERR_INVALID_MANIFEST';
/** Code of a malformed image configuration. */
export const ERR_INVALID_CONFIG = 'ERR_INVALID_CONFIG';
/** Code of a manifest format oci-kit does not read (Docker schema 1, unknown media types). */
export const ERR_UNSUPPORTED_MANIFEST = 'ERR_UNSUPPORTED_MANIFEST';
/** Code of an index that has no manifest for the wanted platform. */
export const ERR_PLATFORM_NOT_FOUND = 'ERR_PLATFORM_NOT_FOUND';

/** Which kind of document a validation error is about. */
export type DocumentKind = 'manifest' | 'index' | 'descriptor' | 'config';

/**
 * A document that does not have the shape the spec requires. `field` is a JSON path such as
 * `layers[2].digest` (`$` for the document itself).
 */
export class InvalidDocumentError extends InvalidInputError {
  readonly document: DocumentKind;
  readonly field: string;

  constructor(document: DocumentKind, field: string, problem: string, options: { cause?: unknown; hint?: string } = {}) {
    const where = field === '$' ? '' : ` ${field}`;
    super(`invalid image ${document}:${where} ${problem}`, {
      ...options,
      code: document === 'config' ? ERR_INVALID_CONFIG : ERR_INVALID_MANIFEST,
    });
    this.document = document;
    this.field = field;
  }
}

/** A malformed manifest, index or descriptor (`ERR_INVALID_MANIFEST`). */
export class InvalidManifestError extends InvalidDocumentError {
  constructor(document: 'manifest' | 'index' | 'descriptor', field: string, problem: string, options: { cause?: unknown; hint?: string } = {}) {
    super(document, field, problem, options);
  }
}

/** A malformed image configuration (`ERR_INVALID_CONFIG`). */
export class InvalidConfigError extends InvalidDocumentError {
  constructor(field: string, problem: string, options: { cause?: unknown; hint?: string } = {}) {
    super('config', field, problem, options);
  }
}

/** A manifest format oci-kit will not read, such as Docker schema 1 (`ERR_UNSUPPORTED_MANIFEST`). */
export class UnsupportedManifestError extends InvalidInputError {
  readonly mediaType: string | undefined;

  constructor(message: string, mediaType: string | undefined, hint?: string) {
    super(message, { code: ERR_UNSUPPORTED_MANIFEST, ...(hint === undefined ? {} : { hint }) });
    this.mediaType = mediaType;
  }
}

/** An index with no manifest for the wanted platform (`ERR_PLATFORM_NOT_FOUND`); lists what it has. */
export class PlatformNotFoundError extends NotFoundError {
  readonly wanted: string;
  readonly available: string[];

  constructor(wanted: string, available: string[], where?: string) {
    const has = available.length === 0 ? 'it lists no platforms' : `available: ${available.join(', ')}`;
    super(`no manifest for platform ${wanted}${where === undefined ? '' : ` in ${where}`} (${has})`, {
      code: ERR_PLATFORM_NOT_FOUND,
      hint: available.length === 0 ? undefined : `choose one with --platform, e.g. --platform ${available[0]}`,
    } as { code: string; hint?: string });
    this.wanted = wanted;
    this.available = available;
  }
}
