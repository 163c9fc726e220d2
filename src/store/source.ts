/**
 * Turns the {@link BlobSource} forms a store accepts into one stream of byte chunks, and hashes and
 * measures them on the way so each store verifies a put against its promised digest and size the
 * same way (image-spec descriptor.md#digests: content is accepted only when it hashes to the digest).
 *
 * @module
 */
import { parseDigest } from '../digest/digest.js';
import { createHasher, type Hasher } from '../digest/hasher.js';
import { DigestMismatchError, SizeMismatchError } from '../digest/verify.js';
import { InvalidStoreInputError } from './errors.js';
import type { BlobInfo, BlobSource, PutOptions } from './blob-store.js';

/** Yields the chunks of a blob source; strings are UTF-8. */
export async function* sourceChunks(source: BlobSource): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string') {
    yield Buffer.from(source, 'utf8');
  } else if (source instanceof Uint8Array) {
    yield source;
  } else {
    for await (const chunk of source) {
      yield typeof chunk === 'string' ? Buffer.from(chunk as string, 'utf8') : chunk;
    }
  }
}

/**
 * Hashes and counts what a put receives. `add` throws as soon as the size goes over what was
 * promised, so an oversized stream is cut off early; `finish` throws on a digest or short size.
 */
export class PutVerifier {
  private readonly hasher: Hasher;
  private seen = 0;

  constructor(private readonly options: PutOptions = {}) {
    this.hasher = createHasher(options.digest ? parseDigest(options.digest).algorithm : 'sha256');
    if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size < 0)) {
      throw new InvalidStoreInputError(`invalid expected size ${String(options.size)}: must be a non-negative integer`);
    }
  }

  add(chunk: Uint8Array): void {
    this.options.signal?.throwIfAborted();
    this.seen += chunk.byteLength;
    if (this.options.size !== undefined && this.seen > this.options.size) {
      throw new SizeMismatchError(this.options.size, this.seen, this.what());
    }
    this.hasher.update(chunk);
  }

  finish(): BlobInfo {
    const digest = this.hasher.digest();
    if (this.options.size !== undefined && this.seen !== this.options.size) {
      throw new SizeMismatchError(this.options.size, this.seen, this.what());
    }
    if (this.options.digest !== undefined && digest !== this.options.digest) {
      throw new DigestMismatchError(this.options.digest, digest, 'blob');
    }
    return { digest, size: this.seen };
  }

  private what(): string {
    return this.options.digest ? `blob ${this.options.digest}` : 'blob';
  }
}
