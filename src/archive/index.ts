/**
 * Image archives and image surgery, public as `oci-kit/archive`: `saveArchive` / `loadArchive`
 * (docker save archives old and new, OCI archives), and the helpers they share.
 *
 * @module
 */
export * from './errors.js';
export { saveArchive, type SaveArchiveOptions, type SaveArchiveResult, type SaveFormat, type SaveSource, type SaveTarget, type SavedImage } from './save.js';
export { loadArchive, type ArchiveFormat, type ArchiveImage, type LoadArchiveOptions, type LoadArchiveResult } from './load.js';
export { DEFAULT_MAX_METADATA_SIZE } from './archive-reader.js';
export { resolveStoreRef, type StoreImageRef } from './refs.js';
export { progressLine, formatBytes, type ProgressLine, type ProgressLineOptions } from './progress.js';
