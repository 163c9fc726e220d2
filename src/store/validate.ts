/**
 * Checks shared by every store on what goes into its reference store: tag names (kept verbatim as
 * the `org.opencontainers.image.ref.name` annotation, annotations.md) and descriptors
 * (descriptor.md: mediaType, digest, size are required).
 *
 * @module
 */
import { isDigest } from '../digest/digest.js';
import type { Descriptor } from '../image/types.js';
import { InvalidStoreInputError } from './errors.js';

// annotations.md#pre-defined-annotation-keys: ref.name is a series of components, which the image-spec
// leaves to implementations; oci-kit stores full normalized references, so whitespace and control
// characters are never valid, and 1024 bytes is far beyond any real reference.
const MAX_TAG_LENGTH = 1024;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s\u0000-\u001f\u007f]/;

/** Throws `ERR_INVALID_TAG` unless `name` can be stored as a tag. */
export function assertTagName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_TAG_LENGTH || FORBIDDEN.test(name)) {
    throw new InvalidStoreInputError(`invalid tag name ${JSON.stringify(name)}: expected a reference like docker.io/library/hello:latest`, {
      code: 'ERR_INVALID_TAG',
    });
  }
}

/** Throws `ERR_INVALID_DESCRIPTOR` unless `d` has the three required descriptor fields. */
export function assertDescriptor(d: Descriptor, what = 'descriptor'): void {
  const problem =
    typeof d !== 'object' || d === null
      ? 'not an object'
      : typeof d.mediaType !== 'string' || d.mediaType === ''
        ? 'mediaType is missing'
        : typeof d.digest !== 'string' || !isDigest(d.digest)
          ? `digest ${JSON.stringify(d.digest)} is not a valid digest`
          : !Number.isSafeInteger(d.size) || d.size < 0
            ? `size ${JSON.stringify(d.size)} is not a non-negative integer`
            : undefined;
  if (problem) throw new InvalidStoreInputError(`invalid ${what}: ${problem}`, { code: 'ERR_INVALID_DESCRIPTOR' });
}
