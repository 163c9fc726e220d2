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
import { createLayer, tarOfSource, type CreateLayerOptions, type LayerResult, type LayerSource } from './create.js';
import { extractLayers, type ApplyOptions } from './extract.js';
import { walkDirectory } from './walk.js';

/** Options of {@link flattenLayers}. */
export interface FlattenOptions extends Omit<CreateLayerOptions, 'store'> {
  /** Where blobs are written (default: the store the layers are read from). */
  target?: BlobStore | undefined;
  /** Extraction options (limits, ...). */
  apply?: ApplyOptions | undefined;
  /** Parent of the scratch directory. Default os.tmpdir(). */
  tmpDir?: string | undefined;
}

/** The stack applied in a scratch directory, and the owners the extractor could not apply. */
async function merged(store: BlobStore, layers: readonly Descriptor[], apply: ApplyOptions, tmp: string): Promise<{ dir: string; owners: Map<string, { uid: number; gid: number }> }> {
  const dir = mkdtempSync(join(tmp, 'oci-kit-flatten-'));
  try {
    const result = await extractLayers(store, layers, dir, { ...apply, devices: apply.devices ?? 'skip' });
    return { dir, owners: result.owners };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The scratch tree as a layer source: streamed from disk when every owner is on disk (root), else
 * an entry list with the recorded owners put back.
 */
function sourceOf(dir: string, owners: Map<string, { uid: number; gid: number }>): LayerSource {
  if (owners.size === 0) return { dir };
  const entries = walkDirectory(dir);
  for (const entry of entries) {
    const owner = owners.get(entry.path);
    if (owner) {
      entry.uid = owner.uid;
      entry.gid = owner.gid;
    }
  }
  return { entries };
}

/** Squashes `layers` (lowest first) into one layer written to `options.target ?? store`. */
export async function flattenLayers(store: BlobStore, layers: readonly Descriptor[], options: FlattenOptions = {}): Promise<LayerResult> {
  const { dir, owners } = await merged(store, layers, options.apply ?? {}, options.tmpDir ?? tmpdir());
  try {
    return await createLayer(sourceOf(dir, owners), { ...options, store: options.target ?? store });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The merged filesystem of `layers` as an uncompressed tar stream (no whiteouts). */
export async function* exportFilesystem(
  store: BlobStore,
  layers: readonly Descriptor[],
  options: Omit<CreateLayerOptions, 'store'> & { apply?: ApplyOptions | undefined; tmpDir?: string | undefined } = {},
): AsyncGenerator<Buffer> {
  const { dir, owners } = await merged(store, layers, options.apply ?? {}, options.tmpDir ?? tmpdir());
  try {
    yield* tarOfSource(sourceOf(dir, owners), options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
