/**
 * Content-addressed storage: the {@link BlobStore} / {@link ReferenceStore} interfaces, the
 * in-memory {@link MemoryStore}, the on-disk {@link OciLayout} (OCI image layout), garbage
 * collection, and the catalog functions behind the CLI's store commands (list, resolve, inspect,
 * history).
 *
 * @module
 */
export * from './blob-store.js';
export * from './errors.js';
export { MemoryStore } from './memory.js';
export { OciLayout, entryName, type OpenLayoutOptions, type RemovedTemporaryFiles } from './layout.js';
export { type LeaseScan, type StoreLease } from './lease.js';
export { collectGarbage, type CollectableStore, type GarbageCollectionOptions, type GarbageCollectionResult } from './gc.js';
export {
  familiarTag,
  imageHistory,
  inspectImage,
  listImages,
  loadTaggedImage,
  normalizeName,
  rawConfig,
  rawManifest,
  resolveImage,
  type CatalogImage,
  type DockerImageInspect,
  type HistoryRow,
  type ImageSummary,
  type PlatformOptions,
  type ResolvedImage,
} from './catalog.js';
export { openStoreForReading, openStoreForWriting } from './open.js';
export { humanDuration, humanSize, timeAgo } from './format.js';
export { withFileLock, type FileLockOptions } from './lock.js';
export { assertDescriptor, assertTagName } from './validate.js';
