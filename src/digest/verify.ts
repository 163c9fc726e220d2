/**
 * A pass-through stream that hashes what flows through it and fails at the end when the content does
 * not match the expected digest or size. Every blob oci-kit reads from outside (registry, archive,
 * disk) goes through one, so no unverified byte is ever treated as content-addressed.
 *
 * @module
 */
import { Transform, type TransformCallback } from 'node:stream';
import { OciKitError } from '../errors.js';
import { parseDigest, type Digest } from './digest.js';
import { createHasher, type Hasher } from './hasher.js';

/** Thrown when content does not hash to the digest it was promised to have. */
export class DigestMismatchError extends OciKitError {
  constructor(
    readonly expected: Digest,
    readonly actual: Digest,
    what = 'content',
  ) {
    super('ERR_DIGEST_MISMATCH', `${what} digest mismatch: expected ${expected}, got ${actual}`, {
      hint: 'the source is corrupt or was changed; fetch it again',
    });
  }
}

/** Thrown when content is longer or shorter than the size it was promised to have. */
export class SizeMismatchError extends OciKitError {
  constructor(
    readonly expected: number,
    readonly actual: number,
    what = 'content',
  ) {
    super('ERR_SIZE_MISMATCH', `${what} size mismatch: expected ${expected} bytes, got ${actual}${actual > expected ? ' or more' : ''}`);
  }
}

/** What a {@link VerifyingStream} checks. Either may be omitted. */
export interface VerifyExpectation {
  digest?: Digest | undefined;
  size?: number | undefined;
  /** Used in error messages, e.g. `blob sha256:ab12...`. */
  what?: string;
}

/**
 * Hashes the bytes passing through; errors (before emitting the final chunk's end) on a size overrun
 * as soon as it happens and on a digest or size mismatch at the end. After the stream ends,
 * `digest` and `size` hold what was actually seen.
 */
export class VerifyingStream extends Transform {
  private readonly hasher: Hasher;
  private seen = 0;
  private result: Digest | undefined;

  constructor(private readonly expect: VerifyExpectation) {
    super();
    this.hasher = createHasher(expect.digest ? parseDigest(expect.digest).algorithm : 'sha256');
  }

  /** Digest of everything seen; set once the stream has flushed. */
  get digest(): Digest | undefined {
    return this.result;
  }

  /** Number of bytes seen so far. */
  get size(): number {
    return this.seen;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.byteLength;
    if (this.expect.size !== undefined && this.seen > this.expect.size) {
      callback(new SizeMismatchError(this.expect.size, this.seen, this.expect.what));
      return;
    }
    this.hasher.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = this.hasher.digest();
    if (this.expect.size !== undefined && this.seen !== this.expect.size) {
      callback(new SizeMismatchError(this.expect.size, this.seen, this.expect.what));
      return;
    }
    if (this.expect.digest !== undefined && this.result !== this.expect.digest) {
      callback(new DigestMismatchError(this.expect.digest, this.result, this.expect.what));
      return;
    }
    callback();
  }
}

/** Checks an in-memory buffer against a digest and optional size, throwing the same errors. */
export function verifyBytes(data: Uint8Array, expect: VerifyExpectation): void {
  if (expect.size !== undefined && data.byteLength !== expect.size) {
    throw new SizeMismatchError(expect.size, data.byteLength, expect.what);
  }
  if (expect.digest !== undefined) {
    const hasher = createHasher(parseDigest(expect.digest).algorithm);
    hasher.update(data);
    const actual = hasher.digest();
    if (actual !== expect.digest) throw new DigestMismatchError(expect.digest, actual, expect.what);
  }
}
