/**
 * Image archives, import/export and image surgery, public as `oci-kit/archive`:
 *
 * - `saveArchive` / `loadArchive`: `docker save` archives (Docker 25+ and legacy) and OCI archives;
 * - `importRootfs` / `exportImage`: a rootfs tarball to a one-layer image and an image's merged
 *   filesystem back to a tar;
 * - surgery like crane's: `mutateImage`, `appendLayers`, `flattenImage`, `rebaseImage`,
 *   `createImageIndex` / `appendToIndex`; each writes only what changed and shares layer blobs.
 *
 * @module
 */
export * from './errors.js';
export { saveArchive, type SaveArchiveOptions, type SaveArchiveResult, type SaveFormat, type SaveSource, type SaveTarget, type SavedImage } from './save.js';
export { loadArchive, type ArchiveFormat, type ArchiveImage, type LoadArchiveOptions, type LoadArchiveResult } from './load.js';
export { DEFAULT_MAX_METADATA_SIZE } from './archive-reader.js';
export { importRootfs, type ImportRootfsOptions, type ImportResult, type ImportSource } from './import.js';
export { exportImage, type ExportImageOptions } from './export.js';
export { applyChanges, CHANGE_INSTRUCTIONS } from './changes.js';
export { mutateImage, mutateConfig, type ImageMutation } from './mutate.js';
export { appendLayers, storeLayerTarball, type AppendOptions, type AppendSource } from './append.js';
export { flattenImage } from './flatten.js';
export { rebaseImage, type RebaseOptions } from './rebase.js';
export { createImageIndex, appendToIndex, type ImageIndexOptions } from './image-index.js';
export { remoteSurgery, type RemoteSurgeryOptions, type RemoteSurgeryResult } from './remote.js';
export { readImage, type SurgeryInput, type SurgeryOptions, type SurgeryResult } from './rewrite.js';
export { resolveStoreRef, type StoreImageRef } from './refs.js';
export { progressLine, formatBytes, type ProgressLine, type ProgressLineOptions } from './progress.js';
