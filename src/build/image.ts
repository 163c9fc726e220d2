/**
 * What a build returns: an image (or, for several platforms, an index) written to the store, which
 * can then be tagged, pushed and saved. The manifest and config are written here because the build
 * owns their exact bytes: compact JSON with a fixed key order, so the same inputs always give the
 * same digests (image-spec manifest.md, config.md; Docker schema 2 for `family: 'docker'`).
 *
 * @module
 */
import type { Digest } from '../digest/digest.js';
import { digestOf } from '../digest/hasher.js';
import { DOCKER, OCI } from '../image/media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../image/types.js';
import { formatReference, parseReference } from '../reference/reference.js';
import type { ImageStore } from '../store/blob-store.js';
import { saveArchive } from '../archive/save.js';

/** An image or index a build produced, living in `store`. */
export class Image {
  constructor(
    readonly store: ImageStore,
    /** The descriptor of the manifest (or index). */
    readonly descriptor: Descriptor,
    readonly manifest: ImageManifest | undefined,
    readonly config: ImageConfig | undefined,
    readonly index: ImageIndex | undefined = undefined,
    /** Per-platform images of an index. */
    readonly images: Image[] = [],
  ) {}

  get digest(): Digest {
    return this.descriptor.digest;
  }

  /** Tags the image in its store (`hello:latest` becomes `docker.io/library/hello:latest`). Returns the full name. */
  async tag(reference: string): Promise<string> {
    const name = formatReference(parseReference(reference));
    await this.store.setTag(name, this.descriptor);
    return name;
  }

  /** Pushes the image (or index) to a registry reference such as `localhost:5000/app:1`. */
  async push(reference: string, options: { signal?: AbortSignal } = {}): Promise<Descriptor> {
    // Loaded on demand, like FROM's pull.
    const { copy } = await import('../registry/copy.js');
    const result = await copy({ type: 'store', store: this.store, name: this.digest }, reference, options);
    return result.descriptor;
  }

  /** Saves the image as a `docker save` (default) or OCI archive at `path` (archive module). */
  async save(path: string, options: { reference?: string; format?: 'docker' | 'oci' } = {}): Promise<void> {
    const image: { descriptor: Descriptor; reference?: string } = { descriptor: this.descriptor };
    if (options.reference) image.reference = formatReference(parseReference(options.reference));
    await saveArchive(this.store, [image], path, options.format ? { format: options.format } : {});
  }
}

/** Writes the config and manifest of a built image and returns it. */
export async function writeImage(
  store: ImageStore,
  config: ImageConfig,
  layers: Descriptor[],
  options: { family?: 'oci' | 'docker'; annotations?: Record<string, string> | undefined } = {},
): Promise<Image> {
  const family = options.family ?? 'oci';
  const configBytes = Buffer.from(JSON.stringify(orderConfig(config)));
  const configDigest = digestOf(configBytes);
  await store.put(configBytes, { digest: configDigest, size: configBytes.length });
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: family === 'docker' ? DOCKER.manifest : OCI.manifest,
    config: { mediaType: family === 'docker' ? DOCKER.config : OCI.config, digest: configDigest, size: configBytes.length },
    layers,
  };
  if (options.annotations && Object.keys(options.annotations).length > 0 && family === 'oci') manifest.annotations = options.annotations;
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const digest = digestOf(manifestBytes);
  await store.put(manifestBytes, { digest, size: manifestBytes.length });
  const platform: Platform = { architecture: config.architecture, os: config.os };
  if (config.variant) platform.variant = config.variant;
  const descriptor: Descriptor = { mediaType: manifest.mediaType!, digest, size: manifestBytes.length, platform };
  return new Image(store, descriptor, manifest, config);
}

/** Writes an index over per-platform images. */
export async function writeIndex(store: ImageStore, images: Image[], family: 'oci' | 'docker' = 'oci'): Promise<Image> {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: family === 'docker' ? DOCKER.manifestList : OCI.index,
    manifests: images.map((i) => i.descriptor),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  const digest = digestOf(bytes);
  await store.put(bytes, { digest, size: bytes.length });
  return new Image(store, { mediaType: index.mediaType!, digest, size: bytes.length }, undefined, undefined, index, images);
}

/** The config with its keys in the order Docker writes them, so the bytes are stable. */
function orderConfig(config: ImageConfig): ImageConfig {
  const ordered: Record<string, unknown> = {};
  for (const key of ['created', 'author', 'architecture', 'os', 'os.version', 'os.features', 'variant', 'config', 'rootfs', 'history']) {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (value !== undefined) ordered[key] = value;
  }
  for (const [key, value] of Object.entries(config)) if (!(key in ordered) && value !== undefined) ordered[key] = value;
  return ordered as unknown as ImageConfig;
}
