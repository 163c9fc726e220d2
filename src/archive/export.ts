/**
 * `export`: the merged filesystem of an image as one plain tar (whiteouts applied, so it is what a
 * container started from the image would see), like `docker export` / `crane export`.
 *
 * @module
 */
import { pipeline } from 'node:stream/promises';
import { Readable, type Writable } from 'node:stream';
import { exportFilesystem } from '../layer/index.js';
import type { Platform } from '../image/types.js';
import type { ImageStore } from '../store/blob-store.js';
import { readImage } from './rewrite.js';

/** Options of {@link exportImage}. */
export interface ExportImageOptions {
  platform?: Platform | string;
  signal?: AbortSignal;
}

/** Writes the flattened filesystem of the image `ref` names to `out` as a tar. */
export async function exportImage(store: ImageStore, ref: string, out: Writable | NodeJS.WritableStream, options: ExportImageOptions = {}): Promise<void> {
  const { image } = await readImage(store, ref, options.platform);
  await pipeline(Readable.from(exportFilesystem(store, image.manifest.layers), { objectMode: false }), out as Writable, options.signal ? { signal: options.signal } : {});
}
