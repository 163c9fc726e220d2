/**
 * The image model: media types and document types of the OCI image-spec and Docker schema 2,
 * validating parsers for untrusted manifests, indexes, descriptors and configs, builders, platforms,
 * conversion between the two families, and loading / saving whole images in a store.
 *
 * @module
 */
export * from './media-types.js';
export * from './types.js';
export * from './errors.js';
export { canonicalJson, MAX_MANIFEST_SIZE } from './json.js';
export { EMPTY_DESCRIPTOR, EMPTY_JSON, descriptorFor, parseDescriptor, validateDescriptor } from './descriptor.js';
export { createManifest, parseManifest, validateManifest, type CreateManifestOptions } from './manifest.js';
export { createIndex, parseIndex, validateIndex, type CreateIndexOptions } from './image-index.js';
export * from './config.js';
export * from './platform.js';
export * from './convert.js';
export * from './load.js';
export * from './save.js';
