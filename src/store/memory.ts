/**
 * An {@link ImageStore} held in memory: for tests, for short-lived pipelines, and as the reference
 * behaviour the on-disk {@link OciLayout} is checked against (both pass one contract test).
 *
 * @module
 */
import { Readable } from 'node:stream';
import { parseDigest, type Digest } from '../digest/digest.js';
import type { Descriptor } from '../image/types.js';
import type { BlobInfo, BlobSource, ImageStore, PutOptions, TaggedDescriptor } from './blob-store.js';
import { BlobNotFoundError } from './errors.js';
import { assertGraphPresent } from './graph.js';
import { PutVerifier, sourceChunks } from './source.js';
import { assertDescriptor, assertTagName } from './validate.js';

/** An in-memory content-addressed store with tags. */
export class MemoryStore implements ImageStore {
  private readonly blobs = new Map<Digest, Buffer>();
  private readonly tags = new Map<string, Descriptor>();

  async has(digest: Digest): Promise<boolean> {
    parseDigest(digest);
    return this.blobs.has(digest);
  }

  async stat(digest: Digest): Promise<BlobInfo | undefined> {
    parseDigest(digest);
    const blob = this.blobs.get(digest);
    return blob ? { digest, size: blob.byteLength } : undefined;
  }

  async open(digest: Digest): Promise<Readable> {
    return Readable.from([await this.get(digest)], { objectMode: false });
  }

  async get(digest: Digest): Promise<Buffer> {
    parseDigest(digest);
    const blob = this.blobs.get(digest);
    if (!blob) throw new BlobNotFoundError(digest, 'the memory store');
    return Buffer.from(blob);
  }

  async put(source: BlobSource, options: PutOptions = {}): Promise<BlobInfo> {
    options.signal?.throwIfAborted();
    const verifier = new PutVerifier(options);
    const chunks: Buffer[] = [];
    for await (const chunk of sourceChunks(source)) {
      verifier.add(chunk);
      // Copy: the caller may reuse its buffer after the put returns.
      chunks.push(Buffer.from(chunk));
    }
    const info = verifier.finish();
    if (!this.blobs.has(info.digest)) this.blobs.set(info.digest, Buffer.concat(chunks, info.size));
    return info;
  }

  async delete(digest: Digest): Promise<boolean> {
    parseDigest(digest);
    return this.blobs.delete(digest);
  }

  async *list(): AsyncIterable<Digest> {
    yield* [...this.blobs.keys()];
  }

  async listTags(): Promise<TaggedDescriptor[]> {
    return [...this.tags].map(([name, descriptor]) => ({ name, descriptor: structuredClone(descriptor) }));
  }

  async resolveTag(name: string): Promise<Descriptor | undefined> {
    const descriptor = this.tags.get(name);
    return descriptor && structuredClone(descriptor);
  }

  async setTag(name: string, descriptor: Descriptor): Promise<void> {
    assertTagName(name);
    assertDescriptor(descriptor);
    await assertGraphPresent(this, descriptor, 'the memory store');
    this.tags.set(name, structuredClone(descriptor));
  }

  async removeTag(name: string): Promise<boolean> {
    return this.tags.delete(name);
  }
}
