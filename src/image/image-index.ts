/**
 * Image indexes (image-spec image-index.md) and Docker manifest lists (same JSON shape): validation
 * of untrusted bytes and the builder.
 *
 * @module
 */
import { expectArray, expectMediaType, expectObject, expectStringMap } from './check.js';
import { descriptorFail, checkDescriptor } from './descriptor.js';
import { UnsupportedManifestError } from './errors.js';
import { MAX_MANIFEST_SIZE, parseJsonBytes } from './json.js';
import { checkSchemaVersion, nonEmpty, rejectOciOnlyFields } from './manifest.js';
import { DOCKER, OCI, isIndexMediaType, isManifestMediaType } from './media-types.js';
import type { Descriptor, ImageIndex } from './types.js';

/** Parses and validates an image index or Docker manifest list. Throws `ERR_INVALID_MANIFEST`. */
export function parseIndex(input: Uint8Array | string): ImageIndex {
  return validateIndex(parseJsonBytes(input, descriptorFail('index'), MAX_MANIFEST_SIZE));
}

/** Validates an already parsed index document and returns it typed. */
export function validateIndex(value: unknown): ImageIndex {
  const fail = descriptorFail('index');
  const obj = expectObject(value, '$', fail);
  checkSchemaVersion(obj, fail);
  if (obj.mediaType !== undefined) {
    const mediaType = expectMediaType(obj.mediaType, 'mediaType', fail);
    if (isManifestMediaType(mediaType)) throw fail('mediaType', `is ${mediaType}: this is a manifest, not an index`);
    if (!isIndexMediaType(mediaType)) {
      throw new UnsupportedManifestError(`unsupported index media type ${mediaType}`, mediaType, `oci-kit reads ${OCI.index} and ${DOCKER.manifestList}`);
    }
  } else if (obj.config !== undefined && obj.manifests === undefined) {
    throw fail('$', 'has "config" and no "manifests": this is a manifest, not an index');
  }
  if (obj.artifactType !== undefined) expectMediaType(obj.artifactType, 'artifactType', fail);
  if (obj.manifests === undefined) throw fail('manifests', 'is missing');
  expectArray(obj.manifests, 'manifests', fail).forEach((entry, i) => checkDescriptor(entry, `manifests[${i}]`, fail));
  if (obj.subject !== undefined) checkDescriptor(obj.subject, 'subject', fail);
  if (obj.annotations !== undefined) expectStringMap(obj.annotations, 'annotations', fail);
  return obj as unknown as ImageIndex;
}

/** Options for {@link createIndex}. */
export interface CreateIndexOptions {
  /** Manifest descriptors, usually each with a `platform`. */
  manifests: Descriptor[];
  /** `oci` (default) or `docker` (a manifest list, which has no annotations, subject or artifactType). */
  family?: 'oci' | 'docker';
  annotations?: Record<string, string>;
  subject?: Descriptor;
  artifactType?: string;
}

/** Builds an index / manifest list with its fields in the spec's order. */
export function createIndex(options: CreateIndexOptions): ImageIndex {
  const family = options.family ?? 'oci';
  if (family === 'docker') rejectOciOnlyFields('index', options);
  return {
    schemaVersion: 2,
    mediaType: family === 'docker' ? DOCKER.manifestList : OCI.index,
    ...(options.artifactType === undefined ? {} : { artifactType: options.artifactType }),
    manifests: [...options.manifests],
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    ...(nonEmpty(options.annotations) ? { annotations: { ...options.annotations } } : {}),
  };
}
