/**
 * `append`: puts layers from tarballs on top of an image (or on nothing: `scratch`), like
 * `crane append`. Tarballs already compressed with gzip or zstd are stored as they are (their diffID
 * computed from the uncompressed bytes); plain tars are compressed. The base's layers are kept.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { appendLayer, createConfig, defaultCreated, hostPlatform, layerMediaType, type LoadedImage } from '../image/index.js';
import type { Descriptor } from '../image/types.js';
import { createLayer, decompressStream } from '../layer/index.js';
import type { ImageStore } from '../store/blob-store.js';
import { peek, sniffCompression } from './compression.js';
import { ArchiveError } from './errors.js';
import { readImage, writeImage, type SurgeryInput, type SurgeryOptions, type SurgeryResult } from './rewrite.js';

/** A layer tarball to append: a path or a stream. */
export type AppendSource = string | AsyncIterable<Uint8Array>;

/** Options of {@link appendLayers}. */
export interface AppendOptions extends SurgeryOptions {
  /** `created_by` of the history entries (default `oci-kit append`). */
  createdBy?: string;
}

/** Stores one tarball as a layer: compressed ones as they are, plain ones gzip-compressed. */
export async function storeLayerTarball(store: ImageStore, source: AppendSource): Promise<{ descriptor: Descriptor; diffId: `sha256:${string}` }> {
  const bytes = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source;
  const { head, stream } = await peek(bytes, 6);
  const compression = sniffCompression(head);
  if (compression === 'none') {
    const layer = await createLayer({ tar: stream }, { store, compression: 'gzip' });
    return { descriptor: layer.descriptor, diffId: layer.diffId as `sha256:${string}` };
  }
  if (compression !== 'gzip' && compression !== 'zstd') {
    throw new ArchiveError('ERR_IMPORT_SOURCE', `layer tarball is ${compression}-compressed; use a plain, gzip or zstd tar`);
  }
  const info = await store.put(stream);
  const diff = createHash('sha256');
  for await (const chunk of decompressStream(await store.open(info.digest))) diff.update(chunk);
  return { descriptor: { mediaType: layerMediaType(compression, 'oci'), digest: info.digest, size: info.size }, diffId: `sha256:${diff.digest('hex')}` };
}

/** Appends the tarballs as layers to `base` (a reference, or `scratch` for an empty image). */
export async function appendLayers(store: ImageStore, base: string, tarballs: AppendSource[], options: AppendOptions = {}): Promise<SurgeryResult> {
  const input: SurgeryInput = base === 'scratch' ? { image: scratchImage(options) } : await readImage(store, base, options.platform);
  let config = input.image.config;
  const created = defaultCreated();
  const layers = [...input.image.manifest.layers];
  for (const [i, tarball] of tarballs.entries()) {
    const layer = await storeLayerTarball(store, tarball);
    // saveImage maps the media type to the image's family (Docker or OCI).
    layers.push(layer.descriptor);
    config = appendLayer(config, {
      diffId: layer.diffId,
      // The step happens now (or at SOURCE_DATE_EPOCH, for reproducible results).
      history: { created, created_by: options.createdBy ?? `oci-kit append ${typeof tarball === 'string' ? tarball : `layer ${i + 1}`}` },
    });
  }
  return writeImage(store, input, { config, layers }, options);
}

function scratchImage(options: AppendOptions): LoadedImage {
  const config = createConfig({ platform: options.platform ?? hostPlatform() });
  return {
    descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 0 },
    manifest: { schemaVersion: 2, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 0 }, layers: [] },
    config,
    configDescriptor: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 0 },
  };
}
