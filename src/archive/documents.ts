/**
 * Reading the JSON documents archives carry: the OCI `index.json` and `oci-layout`
 * (image-layout.md), manifests and indexes (manifest.md, image-index.md) and Docker's `manifest.json`
 * (the `docker save` format: an array of `{Config, RepoTags, Layers, LayerSources}`). Every reader
 * checks the shape it relies on and names the file in its error, since archive content is untrusted.
 *
 * @module
 */
import { isDigest } from '../digest/digest.js';
import { isIndexMediaType, isManifestMediaType } from '../image/media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../image/types.js';
import { invalidArchive } from './errors.js';

/** One image of a `docker save` manifest.json. */
export interface DockerArchiveEntry {
  /** Path of the config file inside the archive. */
  Config: string;
  /** Familiar references (`hello:latest`), may be null or absent for untagged images. */
  RepoTags?: string[] | null;
  /** Paths of the layer tars inside the archive, base layer first. */
  Layers: string[];
  /** Descriptors of foreign layers that are not in the archive, keyed by diffID. */
  LayerSources?: Record<string, Descriptor>;
}

/** Parses JSON, naming `what` in the error. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch (err) {
    throw invalidArchive(`${what} is not valid JSON: ${(err as Error).message}`, err);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the fields of a descriptor (descriptor.md: mediaType, digest and size are required). */
export function checkDescriptor(value: unknown, what: string): Descriptor {
  if (!isRecord(value)) throw invalidArchive(`${what} is not a descriptor object`);
  if (typeof value.mediaType !== 'string' || value.mediaType === '') throw invalidArchive(`${what} has no mediaType`);
  if (typeof value.digest !== 'string' || !isDigest(value.digest)) throw invalidArchive(`${what} has an invalid digest ${JSON.stringify(value.digest)}`);
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) {
    throw invalidArchive(`${what} has an invalid size ${JSON.stringify(value.size)}`);
  }
  if (value.annotations !== undefined && !isRecord(value.annotations)) throw invalidArchive(`${what} has invalid annotations`);
  return value as unknown as Descriptor;
}

/** An image index (image-index.md), also used for the layout's own `index.json`. */
export function readIndex(bytes: Uint8Array, what: string): ImageIndex {
  const value = parseJson(bytes, what);
  if (!isRecord(value) || value.schemaVersion !== 2 || !Array.isArray(value.manifests)) {
    throw invalidArchive(`${what} is not an image index (schemaVersion 2 with a manifests array)`);
  }
  value.manifests.forEach((m, i) => checkDescriptor(m, `${what} manifests[${i}]`));
  return value as unknown as ImageIndex;
}

/** An image manifest (manifest.md), OCI or Docker schema 2. */
export function readManifest(bytes: Uint8Array, what: string): ImageManifest {
  const value = parseJson(bytes, what);
  if (!isRecord(value) || value.schemaVersion !== 2 || !Array.isArray(value.layers)) {
    throw invalidArchive(`${what} is not an image manifest (schemaVersion 2 with config and layers)`);
  }
  checkDescriptor(value.config, `${what} config`);
  value.layers.forEach((l, i) => checkDescriptor(l, `${what} layers[${i}]`));
  return value as unknown as ImageManifest;
}

/** Whether a descriptor points at an index or a manifest, judged by media type and, failing that, by content. */
export function documentKind(mediaType: string | undefined, bytes: Uint8Array): 'index' | 'manifest' | 'other' {
  if (isIndexMediaType(mediaType)) return 'index';
  if (isManifestMediaType(mediaType)) return 'manifest';
  if (mediaType !== undefined && mediaType !== '') return 'other';
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    if (isRecord(value) && Array.isArray(value.manifests)) return 'index';
    if (isRecord(value) && isRecord(value.config) && Array.isArray(value.layers)) return 'manifest';
  } catch {
    // Not JSON: not a document we walk.
  }
  return 'other';
}

/** The `manifest.json` of a `docker save` archive. */
export function readDockerManifestJson(bytes: Uint8Array): DockerArchiveEntry[] {
  const value = parseJson(bytes, 'manifest.json');
  if (!Array.isArray(value)) throw invalidArchive('manifest.json is not a JSON array of images');
  return value.map((item, i) => {
    const where = `manifest.json entry ${i}`;
    if (!isRecord(item) || typeof item.Config !== 'string' || !Array.isArray(item.Layers) || !item.Layers.every((l) => typeof l === 'string')) {
      throw invalidArchive(`${where} needs a Config path and a Layers array of paths`);
    }
    if (item.RepoTags != null && (!Array.isArray(item.RepoTags) || !item.RepoTags.every((t) => typeof t === 'string'))) {
      throw invalidArchive(`${where} has RepoTags that is not a list of strings`);
    }
    if (item.LayerSources !== undefined && item.LayerSources !== null) {
      if (!isRecord(item.LayerSources)) throw invalidArchive(`${where} has an invalid LayerSources object`);
      for (const [diffId, descriptor] of Object.entries(item.LayerSources)) checkDescriptor(descriptor, `${where} LayerSources[${diffId}]`);
    }
    return item as unknown as DockerArchiveEntry;
  });
}
