/**
 * Writing an image into a store: the config blob, then the manifest blob (image-spec manifest.md),
 * in the OCI or Docker schema 2 family. Tagging is the caller's choice (`store.setTag`).
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';
import { BlobNotFoundError } from '../store/errors.js';
import type { BlobStore } from '../store/blob-store.js';
import { validateImageConfig } from './config.js';
import { InvalidConfigError } from './errors.js';
import { canonicalJson } from './json.js';
import type { LoadedImage } from './load.js';
import { createManifest } from './manifest.js';
import { DOCKER, OCI } from './media-types.js';
import { toDockerMediaType, toOciMediaType } from './convert.js';
import type { Descriptor, ImageConfig } from './types.js';

/** What {@link saveImage} writes to. */
export type ImageSink = Pick<BlobStore, 'put' | 'has'>;

/** Options for {@link saveImage}. */
export interface SaveImageOptions {
  config: ImageConfig;
  /** Layer descriptors, bottom first; the blobs must already be in the store. */
  layers: Descriptor[];
  /** Manifest annotations (OCI family only). */
  annotations?: Record<string, string>;
  /** `oci` (default) or `docker`. Layer media types are mapped to the family's twins. */
  family?: 'oci' | 'docker';
}

/**
 * Writes the config and the manifest and returns the image as {@link loadImage} would read it back.
 * Checks first that the config is valid, that it lists one diff ID per layer, and that every layer
 * blob is in the store, so a saved image is always complete.
 */
export async function saveImage(store: ImageSink, options: SaveImageOptions): Promise<LoadedImage> {
  const family = options.family ?? 'oci';
  const config = validateImageConfig(options.config);
  if (config.rootfs.diff_ids.length !== options.layers.length) {
    throw new InvalidConfigError(
      'rootfs.diff_ids',
      `has ${config.rootfs.diff_ids.length} entries but ${options.layers.length} layers were given`,
      { hint: 'add each layer to the config with appendLayer(config, { diffId })' },
    );
  }
  if (family === 'docker' && options.annotations !== undefined && Object.keys(options.annotations).length > 0) {
    throw new InvalidInputError('a Docker schema 2 manifest cannot carry annotations', { hint: 'save with family "oci"' });
  }
  for (const layer of options.layers) {
    if (!(await store.has(layer.digest))) throw new BlobNotFoundError(layer.digest, 'the store (a layer of the image being saved)');
  }
  const mapType = family === 'docker' ? toDockerMediaType : toOciMediaType;
  const layers = options.layers.map((layer) => ({ ...layer, mediaType: mapType(layer.mediaType) }));

  const configBytes = canonicalJson(config);
  const configInfo = await store.put(configBytes);
  const configDescriptor: Descriptor = {
    mediaType: family === 'docker' ? DOCKER.config : OCI.config,
    digest: configInfo.digest,
    size: configInfo.size,
  };
  const manifest = createManifest({
    family,
    config: configDescriptor,
    layers,
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
  });
  const manifestInfo = await store.put(canonicalJson(manifest));
  const descriptor: Descriptor = {
    mediaType: manifest.mediaType as string,
    digest: manifestInfo.digest,
    size: manifestInfo.size,
  };
  return { descriptor, manifest, config, configDescriptor };
}
