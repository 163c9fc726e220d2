/**
 * `rebase`: moves an image from the base it was built on to another (a patched one, say) without
 * rebuilding, like `crane rebase`. The old base is named, or read from the image's
 * `org.opencontainers.image.base.digest` / `.base.name` annotations (annotations.md); its layers
 * must be the bottom of the image. They are replaced by the new base's layers, diffIDs and history;
 * the image's own layers on top are kept as they are, and the annotations updated.
 *
 * @module
 */
import { ANNOTATIONS, type Platform } from '../image/types.js';
import type { ImageStore } from '../store/blob-store.js';
import { ImageSurgeryError } from './errors.js';
import { readImage, writeImage, type SurgeryOptions, type SurgeryResult } from './rewrite.js';
import { formatReference, parseReference } from '../reference/index.js';

/** Options of {@link rebaseImage}. */
export interface RebaseOptions extends SurgeryOptions {
  /** The new base image (a reference or digest in the store). */
  newBase: string;
  /** The image's current base; default: the `org.opencontainers.image.base.*` annotations. */
  oldBase?: string;
  platform?: Platform | string;
}

/** Writes `ref` rebased onto `options.newBase`. */
export async function rebaseImage(store: ImageStore, ref: string, options: RebaseOptions): Promise<SurgeryResult> {
  const input = await readImage(store, ref, options.platform);
  const { manifest, config } = input.image;
  const annotated = manifest.annotations?.[ANNOTATIONS.baseDigest] ?? manifest.annotations?.[ANNOTATIONS.baseName];
  const oldRef = options.oldBase ?? annotated;
  if (!oldRef) {
    throw new ImageSurgeryError(`cannot tell which base ${ref} was built on`, {
      hint: `pass --old-base, or build with the ${ANNOTATIONS.baseName} / ${ANNOTATIONS.baseDigest} annotations`,
    });
  }
  const oldBase = await readImage(store, oldRef, options.platform);
  const newBase = await readImage(store, options.newBase, options.platform);
  const oldLayers = oldBase.image.manifest.layers;
  const prefix = oldLayers.every((layer, i) => manifest.layers[i]?.digest === layer.digest);
  if (!prefix) {
    throw new ImageSurgeryError(`${oldRef} is not the base of ${ref}: its ${oldLayers.length} layers are not the bottom layers of the image`, {
      hint: 'name the right base with --old-base',
    });
  }
  const ownHistory = (config.history ?? []).slice((oldBase.image.config.history ?? []).length);
  const newConfig = {
    ...config,
    rootfs: { type: 'layers' as const, diff_ids: [...newBase.image.config.rootfs.diff_ids, ...config.rootfs.diff_ids.slice(oldLayers.length)] },
    history: [...(newBase.image.config.history ?? []), ...ownHistory],
  };
  const baseName = newBase.tag ?? (options.newBase.includes('@') || options.newBase.startsWith('sha256:') ? undefined : formatReference(parseReference(options.newBase)));
  const annotations = {
    ...(manifest.annotations ?? {}),
    [ANNOTATIONS.baseDigest]: newBase.image.descriptor.digest,
    ...(baseName ? { [ANNOTATIONS.baseName]: baseName } : {}),
  };
  return writeImage(store, input, { config: newConfig, layers: [...newBase.image.manifest.layers, ...manifest.layers.slice(oldLayers.length)], annotations }, options);
}
