/**
 * Content-addressed storage: the {@link BlobStore} / {@link ReferenceStore} interfaces, the
 * in-memory {@link MemoryStore}, the on-disk {@link OciLayout} (OCI image layout), garbage
 * collection, and their errors.
 *
 * @module
 */
export * from './blob-store.js';
export * from './errors.js';
export { MemoryStore } from './memory.js';
export { OciLayout, entryName, type OpenLayoutOptions, type RemovedTemporaryFiles } from './layout.js';
export { collectGarbage, type CollectableStore, type GarbageCollectionOptions, type GarbageCollectionResult } from './gc.js';
export { assertDescriptor, assertTagName } from './validate.js';
