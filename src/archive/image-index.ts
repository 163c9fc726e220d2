/**
 * `index create` / `index append`: assembles a multi-platform image index (image-spec
 * image-index.md) from images in the store, each entry carrying the platform its config declares.
 * Images that are themselves indexes contribute their entries. Appending an image for a platform the
 * index already has replaces that entry, so an index never holds two images for one platform.
 *
 * @module
 */
import { canonicalJson, loadImage, OCI, parseIndex, formatPlatform } from '../image/index.js';
import type { Descriptor, ImageIndex, Platform } from '../image/types.js';
import type { ImageStore } from '../store/blob-store.js';
import { documentKind } from './documents.js';
import { ImageSurgeryError } from './errors.js';
import { resolveStoreRef } from './refs.js';
import { tagResult, type SurgeryResult } from './rewrite.js';

/** Options of {@link createImageIndex} and {@link appendToIndex}. */
export interface ImageIndexOptions {
  /** Tag for the index. */
  tag?: string;
  /** Index annotations. */
  annotations?: Record<string, string>;
}

/** The index entries for one reference: a manifest with its platform, or an index's entries. */
async function entriesFor(store: ImageStore, ref: string): Promise<Descriptor[]> {
  const resolved = await resolveStoreRef(store, ref);
  const bytes = await store.get(resolved.descriptor.digest);
  if (documentKind(resolved.descriptor.mediaType, bytes) === 'index') return parseIndex(bytes).manifests;
  const image = await loadImage(store, resolved.descriptor);
  const platform: Platform = { architecture: image.config.architecture, os: image.config.os };
  if (image.config.variant) platform.variant = image.config.variant;
  if (image.config['os.version']) platform['os.version'] = image.config['os.version'];
  return [{ mediaType: resolved.descriptor.mediaType, digest: resolved.descriptor.digest, size: resolved.descriptor.size, platform }];
}

function platformKey(descriptor: Descriptor): string {
  return descriptor.platform ? formatPlatform(descriptor.platform) : `digest ${descriptor.digest}`;
}

async function writeIndex(store: ImageStore, manifests: Descriptor[], options: ImageIndexOptions): Promise<SurgeryResult> {
  const index: ImageIndex = { schemaVersion: 2, mediaType: OCI.index, manifests };
  if (options.annotations && Object.keys(options.annotations).length) index.annotations = options.annotations;
  const info = await store.put(canonicalJson(index));
  const descriptor: Descriptor = { mediaType: OCI.index, digest: info.digest, size: info.size };
  const tag = await tagResult(store, descriptor, options.tag, undefined);
  return tag ? { descriptor, tag } : { descriptor };
}

function merge(into: Descriptor[], entries: Descriptor[]): Descriptor[] {
  const result = [...into];
  for (const entry of entries) {
    const at = result.findIndex((e) => platformKey(e) === platformKey(entry));
    if (at >= 0) result[at] = entry;
    else result.push(entry);
  }
  return result;
}

/** Writes a new index of the images `refs` name. */
export async function createImageIndex(store: ImageStore, refs: string[], options: ImageIndexOptions = {}): Promise<SurgeryResult> {
  if (refs.length === 0) throw new ImageSurgeryError('an index needs at least one image');
  let manifests: Descriptor[] = [];
  for (const ref of refs) manifests = merge(manifests, await entriesFor(store, ref));
  return writeIndex(store, manifests, options);
}

/** Writes a copy of the index `indexRef` with the images `refs` added; tags it (default: the same tag). */
export async function appendToIndex(store: ImageStore, indexRef: string, refs: string[], options: ImageIndexOptions = {}): Promise<SurgeryResult> {
  const resolved = await resolveStoreRef(store, indexRef);
  const bytes = await store.get(resolved.descriptor.digest);
  if (documentKind(resolved.descriptor.mediaType, bytes) !== 'index') throw new ImageSurgeryError(`${indexRef} is not an image index`);
  const existing = parseIndex(bytes);
  let manifests = existing.manifests;
  for (const ref of refs) manifests = merge(manifests, await entriesFor(store, ref));
  const annotations = options.annotations ?? existing.annotations;
  return writeIndex(store, manifests, { ...(annotations ? { annotations } : {}), ...(options.tag ?? resolved.tag ? { tag: options.tag ?? resolved.tag! } : {}) });
}
