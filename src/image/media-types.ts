/**
 * Every media type string of the OCI image-spec (media-types.md) and of Docker's image manifest
 * v2 schema 2, in one place so nothing else spells them.
 *
 * @module
 */

/** OCI image-spec media types (media-types.md). */
export const OCI = {
  descriptor: 'application/vnd.oci.descriptor.v1+json',
  layoutHeader: 'application/vnd.oci.layout.header.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** Deprecated non-distributable layer types; still read. */
  layerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  layerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  layerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  empty: 'application/vnd.oci.empty.v1+json',
} as const;

/** Docker image manifest v2 schema 2 media types. */
export const DOCKER = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  manifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Docker's uncompressed layer type (used by some tools and in `docker save`). */
  layer: 'application/vnd.docker.image.rootfs.diff.tar',
  foreignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  pluginConfig: 'application/vnd.docker.plugin.v1+json',
  /** Schema 1 manifests: recognised only to refuse them with a clear message. */
  manifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
  manifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** Layer compressions oci-kit writes and reads. */
export type Compression = 'gzip' | 'zstd' | 'none';

/** Media types that name a single-image manifest. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [OCI.manifest, DOCKER.manifest];
/** Media types that name an index / manifest list. */
export const INDEX_MEDIA_TYPES: readonly string[] = [OCI.index, DOCKER.manifestList];

/** True for an image manifest media type (OCI or Docker). */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && MANIFEST_MEDIA_TYPES.includes(mediaType);
}

/** True for an index / manifest list media type (OCI or Docker). */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_MEDIA_TYPES.includes(mediaType);
}

/** The compression a layer media type implies. Unknown types are treated as uncompressed tar. */
export function layerCompression(mediaType: string): Compression {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  return 'none';
}

/** The layer media type for a compression, in the OCI or Docker family. */
export function layerMediaType(compression: Compression, family: 'oci' | 'docker' = 'oci'): string {
  if (family === 'docker') {
    // Docker schema 2 has no zstd type; registries and containerd accept the OCI one inside it.
    if (compression === 'gzip') return DOCKER.layerGzip;
    if (compression === 'none') return DOCKER.layer;
    return OCI.layerZstd;
  }
  if (compression === 'gzip') return OCI.layerGzip;
  if (compression === 'zstd') return OCI.layerZstd;
  return OCI.layer;
}

/** Media types of an image configuration (OCI or Docker). */
export const CONFIG_MEDIA_TYPES: readonly string[] = [OCI.config, DOCKER.config];

/** True for an image configuration media type (OCI or Docker). */
export function isConfigMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && CONFIG_MEDIA_TYPES.includes(mediaType);
}

/** Every layer media type of both families that oci-kit can unpack. */
export const LAYER_MEDIA_TYPES: readonly string[] = [
  OCI.layer,
  OCI.layerGzip,
  OCI.layerZstd,
  OCI.layerNondistributable,
  OCI.layerNondistributableGzip,
  OCI.layerNondistributableZstd,
  DOCKER.layer,
  DOCKER.layerGzip,
  DOCKER.foreignLayerGzip,
];

/** True for a filesystem layer media type of either family. */
export function isLayerMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && LAYER_MEDIA_TYPES.includes(mediaType);
}
