/**
 * Content-addressed storage: the {@link BlobStore} / {@link ReferenceStore} interfaces, the
 * in-memory {@link MemoryStore}, and their errors.
 *
 * @module
 */
export * from './blob-store.js';
export * from './errors.js';
export { MemoryStore } from './memory.js';
export { assertDescriptor, assertTagName } from './validate.js';
