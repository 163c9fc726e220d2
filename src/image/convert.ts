/**
 * Conversion between the OCI and Docker schema 2 families (image-spec media-types.md "Compatibility
 * Matrix"): manifests, indexes / manifest lists, and the media types of configs and layers. The JSON
 * shapes are the same; what changes is media types, and Docker documents cannot carry annotations,
 * `subject` or `artifactType`, which conversion to Docker drops.
 *
 * A converted document is a new document with a new digest: serialize it with `canonicalJson`.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';
import { DOCKER, OCI, isIndexMediaType, isManifestMediaType } from './media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from './types.js';

/** Media types with a twin in the other family. zstd layers have no Docker type and stay OCI. */
const OCI_TO_DOCKER: Readonly<Record<string, string>> = {
  [OCI.manifest]: DOCKER.manifest,
  [OCI.index]: DOCKER.manifestList,
  [OCI.config]: DOCKER.config,
  [OCI.layer]: DOCKER.layer,
  [OCI.layerGzip]: DOCKER.layerGzip,
  [OCI.layerNondistributableGzip]: DOCKER.foreignLayerGzip,
};
const DOCKER_TO_OCI: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(OCI_TO_DOCKER).map(([oci, docker]) => [docker, oci]),
);

/** The Docker twin of a media type; types without one (zstd layers, other blobs) are returned as is. */
export function toDockerMediaType(mediaType: string): string {
  return OCI_TO_DOCKER[mediaType] ?? mediaType;
}

/** The OCI twin of a media type; types without one are returned as is. */
export function toOciMediaType(mediaType: string): string {
  return DOCKER_TO_OCI[mediaType] ?? mediaType;
}

/**
 * A Docker schema 2 copy of a manifest. Throws for artifacts whose config is not an image config.
 * zstd layers keep the OCI type: containerd and registries accept it inside Docker manifests (as
 * `layerMediaType('zstd', 'docker')` does), though the classic Docker engine cannot pull them.
 */
export function toDockerManifest(manifest: ImageManifest): ImageManifest {
  const configType = manifest.config.mediaType;
  if (configType !== OCI.config && configType !== DOCKER.config) {
    throw new InvalidInputError(`cannot convert to a Docker manifest: the config has media type ${configType}, not an image config`, {
      hint: 'only images (not other OCI artifacts) exist in the Docker format',
    });
  }
  return {
    schemaVersion: 2,
    mediaType: DOCKER.manifest,
    config: dockerDescriptor(manifest.config),
    layers: manifest.layers.map(dockerDescriptor),
  };
}

/** An OCI copy of a manifest. */
export function toOciManifest(manifest: ImageManifest): ImageManifest {
  const converted: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI.manifest,
    ...(manifest.artifactType === undefined ? {} : { artifactType: manifest.artifactType }),
    config: ociDescriptor(manifest.config),
    layers: manifest.layers.map(ociDescriptor),
  };
  if (manifest.subject !== undefined) converted.subject = manifest.subject;
  if (manifest.annotations !== undefined) converted.annotations = { ...manifest.annotations };
  return converted;
}

/**
 * A Docker manifest list copy of an index. Entry media types are mapped; the entries' own documents
 * must be converted (and their new digests set) by the caller when they change.
 */
export function toDockerIndex(index: ImageIndex): ImageIndex {
  return { schemaVersion: 2, mediaType: DOCKER.manifestList, manifests: index.manifests.map(dockerDescriptor) };
}

/** An OCI index copy of a manifest list or index. */
export function toOciIndex(index: ImageIndex): ImageIndex {
  const converted: ImageIndex = {
    schemaVersion: 2,
    mediaType: OCI.index,
    ...(index.artifactType === undefined ? {} : { artifactType: index.artifactType }),
    manifests: index.manifests.map(ociDescriptor),
  };
  if (index.subject !== undefined) converted.subject = index.subject;
  if (index.annotations !== undefined) converted.annotations = { ...index.annotations };
  return converted;
}

/** The family a document media type belongs to, or undefined for other types. */
export function familyOf(mediaType: string | undefined): 'oci' | 'docker' | undefined {
  if (mediaType === undefined) return undefined;
  if (mediaType.startsWith('application/vnd.oci.')) return 'oci';
  if (mediaType.startsWith('application/vnd.docker.')) return 'docker';
  return undefined;
}

function dockerDescriptor(descriptor: Descriptor): Descriptor {
  // Docker descriptors carry no artifactType or data; urls, annotations and platform they do.
  const { artifactType: _artifactType, data: _data, ...rest } = descriptor;
  return { ...rest, mediaType: toDockerMediaType(descriptor.mediaType) };
}

function ociDescriptor(descriptor: Descriptor): Descriptor {
  return { ...descriptor, mediaType: toOciMediaType(descriptor.mediaType) };
}

/** True when the media type names a manifest or index of either family. */
export function isDocumentMediaType(mediaType: string | undefined): boolean {
  return isManifestMediaType(mediaType) || isIndexMediaType(mediaType);
}
