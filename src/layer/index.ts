/**
 * `oci-kit/layer`: image layers. Writing deterministic tar layers from a directory, entry list or
 * tar stream with one-pass hashing, parallel gzip or zstd; diffing trees into layers with whiteouts;
 * applying stacks of layers safely; flattening and exporting (image-spec layer.md). See docs/layer.md.
 *
 * @module
 */
export { createLayer, prepareEntries, preparedEntries, storeTar, tarOfSource, envSourceDateEpoch } from './create.js';
export type { LayerSource, CreateLayerOptions, EntryOptions, LayerResult } from './create.js';
export type { LayerEntry, EntryType, EntryContent } from './entry.js';
export { OPAQUE_MARKER, WHITEOUT_PREFIX, comparePaths, canonicalPath } from './entry.js';
export { applyLayer, extractLayers, openLayer, cleanMemberPath } from './extract.js';
export type { ApplyOptions, ApplyResult, ExtractLimits } from './extract.js';
export { snapshotTree, diffTree, createDiffLayer } from './diff.js';
export type { Snapshot, SnapshotEntry, SnapshotOptions, DiffLayerOptions } from './diff.js';
export { diffTars, type TarChange } from './diff-tars.js';
export { flattenLayers, exportFilesystem, type FlattenOptions } from './flatten.js';
export { compressStream, decompressStream, sniffCompression, zstdWriter } from './compress.js';
export type { CompressOptions, DecompressLimits } from './compress.js';
export { readTar, type TarEntry, type TarReadLimits } from './tar-reader.js';
export { writeTar, ChunkPool, DEFAULT_CHUNK_SIZE, type WritableEntry } from './tar-writer.js';
export { walkDirectory, walkEntries, type WalkOptions, type WalkedEntry } from './walk.js';
export { xattrHelperAvailable } from './xattr.js';
export * from './errors.js';

import { snapshotTree, createDiffLayer } from './diff.js';
/** Alias of {@link snapshotTree} (the name the project brief uses). */
export const snapshot = snapshotTree;
/** Alias of {@link createDiffLayer} (the name the project brief uses). */
export const diffSnapshot = createDiffLayer;
