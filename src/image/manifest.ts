/**
 * Image manifests (image-spec manifest.md; Docker image manifest v2 schema 2, same JSON shape):
 * validation of untrusted bytes and the builder oci-kit writes them with.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';
import { expectArray, expectMediaType, expectObject, expectStringMap, type Fail, type JsonObject } from './check.js';
import { descriptorFail, checkDescriptor } from './descriptor.js';
import { UnsupportedManifestError } from './errors.js';
import { MAX_MANIFEST_SIZE, parseJsonBytes } from './json.js';
import { DOCKER, OCI, isIndexMediaType, isManifestMediaType } from './media-types.js';
import type { Descriptor, ImageManifest } from './types.js';

/** Parses and validates an image manifest (OCI or Docker schema 2). Throws `ERR_INVALID_MANIFEST`. */
export function parseManifest(input: Uint8Array | string): ImageManifest {
  return validateManifest(parseJsonBytes(input, descriptorFail('manifest'), MAX_MANIFEST_SIZE));
}

/** Validates an already parsed manifest document and returns it typed. */
export function validateManifest(value: unknown): ImageManifest {
  const fail = descriptorFail('manifest');
  const obj = expectObject(value, '$', fail);
  checkSchemaVersion(obj, fail);
  if (obj.mediaType !== undefined) {
    const mediaType = expectMediaType(obj.mediaType, 'mediaType', fail);
    if (isIndexMediaType(mediaType)) throw fail('mediaType', `is ${mediaType}: this is an index, not a manifest`);
    if (!isManifestMediaType(mediaType)) throw unsupportedMediaType(mediaType);
  } else if (obj.manifests !== undefined && obj.config === undefined) {
    throw fail('$', 'has "manifests" and no "config": this is an index, not a manifest');
  }
  if (obj.artifactType !== undefined) expectMediaType(obj.artifactType, 'artifactType', fail);
  if (obj.config === undefined) throw fail('config', 'is missing');
  checkDescriptor(obj.config, 'config', fail);
  if (obj.layers === undefined) throw fail('layers', 'is missing');
  expectArray(obj.layers, 'layers', fail).forEach((layer, i) => checkDescriptor(layer, `layers[${i}]`, fail));
  if (obj.subject !== undefined) checkDescriptor(obj.subject, 'subject', fail);
  if (obj.annotations !== undefined) expectStringMap(obj.annotations, 'annotations', fail);
  return obj as unknown as ImageManifest;
}

/** Options for {@link createManifest}. */
export interface CreateManifestOptions {
  config: Descriptor;
  layers: Descriptor[];
  /** `oci` (default) or `docker` (schema 2, which has no annotations, subject or artifactType). */
  family?: 'oci' | 'docker';
  annotations?: Record<string, string>;
  subject?: Descriptor;
  artifactType?: string;
}

/** Builds a manifest with its fields in the spec's order. Descriptors are used as given. */
export function createManifest(options: CreateManifestOptions): ImageManifest {
  const family = options.family ?? 'oci';
  if (family === 'docker') rejectOciOnlyFields('manifest', options);
  return {
    schemaVersion: 2,
    mediaType: family === 'docker' ? DOCKER.manifest : OCI.manifest,
    ...(options.artifactType === undefined ? {} : { artifactType: options.artifactType }),
    config: options.config,
    layers: [...options.layers],
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    ...(nonEmpty(options.annotations) ? { annotations: { ...options.annotations } } : {}),
  };
}

/** True for an annotation map with at least one entry. */
export function nonEmpty(annotations: Record<string, string> | undefined): annotations is Record<string, string> {
  return annotations !== undefined && Object.keys(annotations).length > 0;
}

/** Refuses the OCI-only fields a Docker schema 2 document cannot carry. */
export function rejectOciOnlyFields(
  document: 'manifest' | 'index',
  options: { annotations?: Record<string, string>; subject?: Descriptor; artifactType?: string },
): void {
  const present = (['annotations', 'subject', 'artifactType'] as const).filter((key) =>
    key === 'annotations' ? Object.keys(options.annotations ?? {}).length > 0 : options[key] !== undefined,
  );
  if (present.length > 0) {
    throw new InvalidInputError(`a Docker schema 2 ${document} cannot carry ${present.join(', ')}`, {
      hint: 'use the OCI family for annotations, subject and artifactType',
    });
  }
}

/** Refuses Docker schema 1 and anything that is not schema version 2. */
export function checkSchemaVersion(obj: JsonObject, fail: Fail): void {
  const mediaType = typeof obj.mediaType === 'string' ? obj.mediaType : undefined;
  if (obj.schemaVersion === 1 || mediaType === DOCKER.manifestV1 || mediaType === DOCKER.manifestV1Signed) {
    throw new UnsupportedManifestError(
      'Docker image manifest schema 1 is not supported (deprecated since 2017, removed from registries and Docker)',
      mediaType,
      'copy the image once with a current tool to convert it to schema 2, e.g. "skopeo copy --format v2s2 SRC DST"',
    );
  }
  if (obj.schemaVersion !== 2) throw fail('schemaVersion', `must be 2, got ${JSON.stringify(obj.schemaVersion) ?? 'nothing'}`);
}

function unsupportedMediaType(mediaType: string): UnsupportedManifestError {
  return new UnsupportedManifestError(
    `unsupported manifest media type ${mediaType}`,
    mediaType,
    `oci-kit reads ${OCI.manifest} and ${DOCKER.manifest}`,
  );
}
