/**
 * oci-kit: build, inspect and ship OCI/Docker container images with no daemon.
 *
 * The root export gathers what most programs need: {@link ImageBuilder} and
 * {@link buildDockerfile}, the stores, references and digests. Each domain is also a sub-path export
 * with its whole API (`oci-kit/store`, `oci-kit/layer`, `oci-kit/image`, `oci-kit/dockerfile`,
 * `oci-kit/registry`, `oci-kit/archive`, `oci-kit/testing`).
 *
 * @module
 */
export * from './errors.js';
export * from './digest/index.js';
export * from './reference/index.js';
export * from './build/index.js';
export { MemoryStore, OciLayout } from './store/index.js';
export { defaultStorePath } from './cli/store-path.js';
export type { BlobStore, ImageStore, ReferenceStore, BlobInfo, TaggedDescriptor } from './store/index.js';
export { loadImage, saveImage } from './image/index.js';
export type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform, LoadedImage } from './image/index.js';
