/**
 * Squashing a stack of layers into one (`flattenLayers`) and exporting the merged filesystem as a
 * plain tar (`exportFilesystem`, what `crane export` does). Both apply the stack into a private
 * temporary directory with the same extractor as {@link extractLayers} (so whiteouts and opaque
 * directories behave exactly as on a real unpack) and write the result back out with the layer
 * writer; owners that could not be applied (not root) are carried over from the extractor's record.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Descriptor } from '../image/types.js';
import type { BlobStore } from '../store/blob-store.js';
import { createLayer, preparedEntries, type CreateLayerOptions, type EntryOptions, type LayerResult } from './create.js';
import { extractLayers, type ApplyOptions } from './extract.js';
import { DEFAULT_CHUNK_SIZE, writeTar } from './tar-writer.js';
import { walkDirectory, type WalkedEntry } from './walk.js';

/** Options of {@link flattenLayers}. */
export interface FlattenOptions extends Omit<CreateLayerOptions, 'store'> {
  /** Where blobs are written (default: the store the layers are read from). */
  target?: BlobStore | undefined;
  /** Extraction options (limits, ...). */
  apply?: ApplyOptions | undefined;
  /** Parent of the scratch directory. Default os.tmpdir(). */
  tmpDir?: string | undefined;
}

async function merged(store: BlobStore, layers: readonly Descriptor[], apply: ApplyOptions, tmp: string): Promise<{ dir: string; entries: WalkedEntry[] }> {
  const dir = mkdtempSync(join(tmp, 'oci-kit-flatten-'));
  try {
    const result = await extractLayers(store, layers, dir, { ...apply, devices: apply.devices ?? 'skip' });
    const entries = walkDirectory(dir);
    for (const entry of entries) {
      const owner = result.owners.get(entry.path);
      if (owner) {
        entry.uid = owner.uid;
        entry.gid = owner.gid;
      }
    }
    return { dir, entries };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Squashes `layers` (lowest first) into one layer written to `options.target ?? store`. */
export async function flattenLayers(store: BlobStore, layers: readonly Descriptor[], options: FlattenOptions = {}): Promise<LayerResult> {
  const { dir, entries } = await merged(store, layers, options.apply ?? {}, options.tmpDir ?? tmpdir());
  try {
    return await createLayer({ entries }, { ...options, store: options.target ?? store });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The merged filesystem of `layers` as an uncompressed tar stream (no whiteouts). */
export async function* exportFilesystem(
  store: BlobStore,
  layers: readonly Descriptor[],
  options: EntryOptions & { apply?: ApplyOptions | undefined; tmpDir?: string | undefined } = {},
): AsyncGenerator<Buffer> {
  const { dir, entries } = await merged(store, layers, options.apply ?? {}, options.tmpDir ?? tmpdir());
  try {
    yield* writeTar(preparedEntries(entries, options, true), DEFAULT_CHUNK_SIZE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
