/**
 * The storage interfaces every source and sink of content implements: a content-addressed
 * {@link BlobStore} and a {@link ReferenceStore} of named descriptors (tags). An OCI image layout on
 * disk and the in-memory store both implement {@link ImageStore}, and pass one shared contract test.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../digest/digest.js';
import type { Descriptor } from '../image/types.js';

/** What a store knows about one blob. */
export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** Options for {@link BlobStore.put}. */
export interface PutOptions {
  /** When given, the content must hash to this digest or nothing is stored (`ERR_DIGEST_MISMATCH`). */
  digest?: Digest | undefined;
  /** When given, the content must have exactly this many bytes (`ERR_SIZE_MISMATCH`). */
  size?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Content the store can take: bytes, or any async iterable of chunks (a Readable stream, say). A
 * store may still be writing a chunk after asking for the next one, so a source must not reuse or
 * modify a chunk's buffer once it has yielded it (Node's streams never do).
 */
export type BlobSource = Uint8Array | string | AsyncIterable<Uint8Array>;

/** A content-addressed blob store. */
export interface BlobStore {
  has(digest: Digest): Promise<boolean>;
  /** Size and digest of a blob, or undefined when it is absent. */
  stat(digest: Digest): Promise<BlobInfo | undefined>;
  /** Opens a blob for reading. Throws `ERR_BLOB_NOT_FOUND` when it is absent. */
  open(digest: Digest): Promise<Readable>;
  /** Reads a whole (small) blob such as a manifest or config. Throws `ERR_BLOB_NOT_FOUND`. */
  get(digest: Digest): Promise<Buffer>;
  /**
   * Stores content and returns its digest and size. The blob becomes visible only once it has been
   * completely written and verified; a failed put leaves nothing behind.
   */
  put(source: BlobSource, options?: PutOptions): Promise<BlobInfo>;
  /** Removes a blob; true when it existed. */
  delete(digest: Digest): Promise<boolean>;
  /** Every blob digest in the store. */
  list(): AsyncIterable<Digest>;
}

/** A named descriptor: a tag of the store. */
export interface TaggedDescriptor {
  /** The full normalized reference, e.g. `docker.io/library/hello:latest`. */
  name: string;
  descriptor: Descriptor;
}

/** Named descriptors (in a layout: the `index.json` entries with a ref-name annotation). */
export interface ReferenceStore {
  listTags(): Promise<TaggedDescriptor[]>;
  resolveTag(name: string): Promise<Descriptor | undefined>;
  /** Points `name` at `descriptor`, replacing what it pointed at. Atomic. */
  setTag(name: string, descriptor: Descriptor): Promise<void>;
  /** Removes a tag; true when it existed. */
  removeTag(name: string): Promise<boolean>;
}

/** A blob store with tags: what images are read from and written to. */
export interface ImageStore extends BlobStore, ReferenceStore {}
