/**
 * `flatten`: squashes an image's layers into one (whiteouts applied, so deleted files are gone),
 * keeping its config apart from the layer list and history, like `crane flatten`.
 *
 * @module
 */
import { flattenLayers } from '../layer/index.js';
import type { ImageStore } from '../store/blob-store.js';
import { readImage, writeImage, type SurgeryOptions, type SurgeryResult } from './rewrite.js';

/** Writes a one-layer copy of the image `ref` names. */
export async function flattenImage(store: ImageStore, ref: string, options: SurgeryOptions = {}): Promise<SurgeryResult> {
  const input = await readImage(store, ref, options.platform);
  const { config, manifest } = input.image;
  const layer = await flattenLayers(store, manifest.layers, { compression: 'gzip' });
  const history = [{ ...(config.created ? { created: config.created } : {}), created_by: `oci-kit flatten (${manifest.layers.length} layers)`, comment: `flattened from ${input.image.descriptor.digest}` }];
  return writeImage(store, input, { config: { ...config, rootfs: { type: 'layers', diff_ids: [layer.diffId] }, history }, layers: [layer.descriptor] }, options);
}
