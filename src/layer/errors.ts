/**
 * The typed errors of the layer module. Every refusal names the tar entry (or file) it is about, so
 * a user can find the offending member of a hostile or broken layer.
 *
 * @module
 */
import { OciKitError, type OciKitErrorOptions } from '../errors.js';

/** A tar stream that is not a valid (ustar / pax / GNU) archive, or uses a feature we refuse. */
export class TarFormatError extends OciKitError {
  constructor(message: string, options: OciKitErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'ERR_TAR_FORMAT', message, options);
  }
}

/**
 * An entry that would write outside the extraction target, or through something it must not
 * (absolute/`..` escapes, a hardlink to outside, a device node when not allowed).
 */
export class UnsafeEntryError extends OciKitError {
  constructor(
    readonly entryPath: string,
    why: string,
    options: OciKitErrorOptions & { code?: string } = {},
  ) {
    super(options.code ?? 'ERR_LAYER_UNSAFE_ENTRY', `refusing tar entry "${printable(entryPath)}": ${why}`, {
      hint: 'the layer is malformed or hostile; it was not applied past this entry',
      ...options,
    });
  }
}

/** A configured limit (entry count, header size, decompression ratio) was exceeded. */
export class LayerLimitError extends OciKitError {
  constructor(message: string, options: OciKitErrorOptions = {}) {
    super('ERR_LAYER_LIMIT', message, {
      hint: 'raise the limit in the extract options if this layer is trusted',
      ...options,
    });
  }
}

/** A file changed (size, type) while it was being written into a layer. */
export class SourceChangedError extends OciKitError {
  constructor(path: string, why: string) {
    super('ERR_LAYER_SOURCE_CHANGED', `"${printable(path)}" changed while the layer was written: ${why}`, {
      hint: 'build the layer from a tree that nothing writes to at the same time',
    });
  }
}

/** A compression the running Node and machine cannot produce or read. */
export class CompressionUnavailableError extends OciKitError {
  constructor(message: string, options: OciKitErrorOptions = {}) {
    super('ERR_COMPRESSION_UNAVAILABLE', message, options);
  }
}

/** An invalid layer entry given by the caller (bad path, missing content, size mismatch). */
export class InvalidEntryError extends OciKitError {
  constructor(entryPath: string, why: string) {
    super('ERR_LAYER_INVALID_ENTRY', `invalid layer entry "${printable(entryPath)}": ${why}`);
  }
}

/** Control characters escaped so a hostile name cannot rewrite the terminal. */
export function printable(path: string): string {
  const clipped = path.length > 300 ? `${path.slice(0, 300)}...` : path;
  // eslint-disable-next-line no-control-regex
  return clipped.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
