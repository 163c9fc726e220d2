/**
 * Content digests as defined by the OCI image-spec, "Digests" section (descriptor.md#digests):
 * `algorithm ":" encoded`, where the algorithm grammar is `[a-z0-9]+([+._-][a-z0-9]+)*` and each
 * registered algorithm fixes its encoding. Registered here: sha256 and sha512 (image-spec) and
 * blake3 (image-spec 1.1 registered algorithms).
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';

/** A digest string `alg:hex`, validated by {@link parseDigest}. */
export type Digest = `${string}:${string}`;

/** Digest algorithms oci-kit can compute and verify. */
export type DigestAlgorithm = 'sha256' | 'sha512' | 'blake3';

/** Hex length of each registered algorithm's encoded part (image-spec descriptor.md#registered-algorithms). */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  sha256: 64,
  sha512: 128,
  blake3: 64,
};

const ALGORITHM_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
const ENCODED_GRAMMAR = /^[a-zA-Z0-9=_-]+$/;
const LOWER_HEX = /^[a-f0-9]+$/;

/** A digest split into its parts. */
export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

/** Error code thrown for malformed or unsupported digests. */
export const ERR_INVALID_DIGEST = 'ERR_INVALID_DIGEST';

/** True when `alg` is one of the algorithms oci-kit computes. */
export function isDigestAlgorithm(alg: string): alg is DigestAlgorithm {
  return alg === 'sha256' || alg === 'sha512' || alg === 'blake3';
}

/**
 * Parses and validates a digest. Throws an `ERR_INVALID_DIGEST` {@link InvalidInputError} when the
 * string breaks the image-spec grammar, names an algorithm oci-kit does not support, or has the wrong
 * length or case for that algorithm.
 */
export function parseDigest(value: string): ParsedDigest {
  const colon = value.indexOf(':');
  if (colon <= 0) throw invalid(value, 'expected "algorithm:encoded"');
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  if (!ALGORITHM_GRAMMAR.test(algorithm) || !ENCODED_GRAMMAR.test(hex)) {
    throw invalid(value, 'it does not match the image-spec digest grammar');
  }
  if (!isDigestAlgorithm(algorithm)) {
    throw invalid(value, `unsupported algorithm "${algorithm}" (supported: sha256, sha512, blake3)`);
  }
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (hex.length !== length || !LOWER_HEX.test(hex)) {
    throw invalid(value, `${algorithm} needs ${length} lower-case hex characters`);
  }
  return { algorithm, hex };
}

/** Returns `value` typed as a {@link Digest} after validating it. */
export function toDigest(value: string): Digest {
  parseDigest(value);
  return value as Digest;
}

/** True when `value` is a valid, supported digest. */
export function isDigest(value: string): value is Digest {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

function invalid(value: string, why: string): InvalidInputError {
  const shown = value.length > 80 ? `${value.slice(0, 80)}...` : value;
  return new InvalidInputError(`invalid digest "${shown}": ${why}`, { code: ERR_INVALID_DIGEST });
}
