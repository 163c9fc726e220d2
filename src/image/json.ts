/**
 * The JSON bytes oci-kit writes for manifests, indexes and configs, and the guarded JSON reading of
 * untrusted documents. Digests are computed over exact bytes, so every document is written by
 * {@link canonicalJson} and never re-serialized after it has been hashed.
 *
 * @module
 */
import type { Fail } from './check.js';

/** Largest manifest or index oci-kit reads: distribution-spec registries must accept at least 4 MiB. */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

/**
 * The bytes of a document as oci-kit writes it: `JSON.stringify` with no whitespace and keys in the
 * order the object gives them (builders create objects in the spec's field order), UTF-8 encoded.
 * Undefined members are left out, as JSON has no such value.
 */
export function canonicalJson(value: unknown): Buffer {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return Buffer.from(text, 'utf8');
}

/** Decodes and parses a JSON document; `fail` builds the typed error for the document kind. */
export function parseJsonBytes(input: Uint8Array | string, fail: Fail, maxSize?: number): unknown {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (maxSize !== undefined && size > maxSize) {
    throw fail('$', `is ${size} bytes, more than the ${maxSize} bytes allowed`);
  }
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch (err) {
    throw fail('$', 'is not valid UTF-8', err);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw fail('$', `is not valid JSON (${(err as Error).message})`, err);
  }
}
