/**
 * Finding the images archive operations act on in a store: a tag (`hello`, `localhost:5000/a:1`,
 * normalised as Docker does), a reference pinned by digest (`hello@sha256:...`), or a bare digest
 * (`sha256:...`) of a manifest or index the store holds.
 *
 * @module
 */
import { isDigest, type Digest } from '../digest/digest.js';
import { NotFoundError } from '../errors.js';
import type { Descriptor } from '../image/types.js';
import { formatReference, parseReference, type Reference } from '../reference/index.js';
import type { ImageStore } from '../store/blob-store.js';
import { documentKind } from './documents.js';
import { OCI } from '../image/media-types.js';

/** A reference resolved against a store. */
export interface StoreImageRef {
  /** What the user typed. */
  input: string;
  /** The parsed reference, when the input was not a bare digest. */
  reference?: Reference;
  /** The full tag name (`docker.io/library/hello:latest`) when the input named a tag. */
  tag?: string;
  /** The manifest or index it points at. */
  descriptor: Descriptor;
}

/** Resolves `input` in `store`; throws `ERR_IMAGE_NOT_FOUND` when the store does not hold it. */
export async function resolveStoreRef(store: ImageStore, input: string): Promise<StoreImageRef> {
  if (isDigest(input)) return { input, descriptor: await descriptorOfBlob(store, input, input) };
  const reference = parseReference(input);
  if (reference.digest) {
    const descriptor = await descriptorOfBlob(store, reference.digest, input);
    if (!reference.tag) return { input, reference, descriptor };
    const { digest: _pinned, ...named } = reference;
    return { input, reference, tag: formatReference(named), descriptor };
  }
  const tag = formatReference(reference);
  const descriptor = await store.resolveTag(tag);
  if (!descriptor) {
    throw new NotFoundError(`no image ${input} (${tag}) in the store`, {
      code: 'ERR_IMAGE_NOT_FOUND',
      hint: 'list the images with "oci-kit images", or pull / load / build it first',
    });
  }
  return { input, reference, tag, descriptor };
}

/** A descriptor for a manifest or index known only by digest; the media type comes from the content. */
async function descriptorOfBlob(store: ImageStore, digest: Digest, input: string): Promise<Descriptor> {
  const info = await store.stat(digest);
  if (!info) {
    throw new NotFoundError(`no image ${input} in the store: it holds no blob ${digest}`, {
      code: 'ERR_IMAGE_NOT_FOUND',
      hint: 'list the images with "oci-kit images"',
    });
  }
  const bytes = await store.get(digest);
  const declared = (() => {
    try {
      const value = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
      return typeof value.mediaType === 'string' ? value.mediaType : undefined;
    } catch {
      return undefined;
    }
  })();
  const kind = documentKind(declared, bytes);
  const mediaType = declared ?? (kind === 'index' ? OCI.index : OCI.manifest);
  return { mediaType, digest, size: info.size };
}
