/**
 * The completeness check `setTag` runs before a tag becomes visible: every blob below the tagged
 * descriptor must be in the store, so a tag never names an image with missing content, whatever a
 * concurrent garbage collection did. Walked edges: an image index's `manifests` (image-index.md), a
 * manifest's `config` and `layers` (manifest.md). A layer carrying `urls` (a foreign or
 * non-distributable layer, descriptor.md#urls) may be absent, since it is fetched from those URLs.
 * `subject` is not walked: a referrer may outlive or precede its subject.
 *
 * Cost: one read of each manifest or index document (small) and one stat per other blob.
 *
 * @module
 */
import type { Digest } from '../digest/digest.js';
import { isIndexMediaType, isManifestMediaType } from '../image/media-types.js';
import type { Descriptor } from '../image/types.js';
import type { BlobStore } from './blob-store.js';
import { BlobNotFoundError } from './errors.js';

interface Links {
  config?: unknown;
  layers?: unknown;
  manifests?: unknown;
}

function descriptors(value: unknown): Descriptor[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((d): d is Descriptor => typeof d === 'object' && d !== null && typeof (d as Descriptor).digest === 'string');
}

function parseLinks(bytes: Buffer): Links | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Links) : undefined;
  } catch {
    // Not ours to judge here: parsers report malformed documents where they are read.
    return undefined;
  }
}

/**
 * Throws `ERR_BLOB_NOT_FOUND` naming the first missing blob of the graph below `root` (the root
 * included), and which document refers to it.
 */
export async function assertGraphPresent(store: BlobStore, root: Descriptor, where: string): Promise<void> {
  const seen = new Set<Digest>();
  const queue: { descriptor: Descriptor; parent?: Digest }[] = [{ descriptor: root }];
  while (queue.length > 0) {
    const { descriptor, parent } = queue.pop()!;
    if (seen.has(descriptor.digest)) continue;
    seen.add(descriptor.digest);
    const walk = isManifestMediaType(descriptor.mediaType) || isIndexMediaType(descriptor.mediaType);
    if (!walk) {
      if (await store.has(descriptor.digest)) continue;
      if (descriptor.urls?.length) continue;
      throw missing(descriptor, parent, where);
    }
    let bytes: Buffer;
    try {
      bytes = await store.get(descriptor.digest);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BLOB_NOT_FOUND') throw missing(descriptor, parent, where);
      throw err;
    }
    const links = parseLinks(bytes);
    if (!links) continue;
    const children = isIndexMediaType(descriptor.mediaType)
      ? descriptors(links.manifests)
      : [...descriptors(links.config), ...descriptors(links.layers)];
    for (const child of children) queue.push({ descriptor: child, parent: descriptor.digest });
  }
}

function missing(descriptor: Descriptor, parent: Digest | undefined, where: string): BlobNotFoundError {
  return new BlobNotFoundError(descriptor.digest, where, parent);
}
