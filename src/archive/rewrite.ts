/**
 * The shared step of image surgery: read an image from the store, and write a changed one that
 * keeps everything it does not change. Layers are referenced, never copied; a new config blob and a
 * new manifest are written only, in the same family (OCI or Docker schema 2) as the original, with
 * the original's manifest annotations (image-spec manifest.md).
 *
 * @module
 */
import { isManifestMediaType, DOCKER } from '../image/media-types.js';
import { loadImage, saveImage, type LoadedImage } from '../image/index.js';
import type { Descriptor, ImageConfig, Platform } from '../image/types.js';
import { formatReference, parseReference } from '../reference/index.js';
import type { ImageStore } from '../store/blob-store.js';
import { resolveStoreRef } from './refs.js';

/** An image read for surgery, with the tag it was read through. */
export interface SurgeryInput {
  image: LoadedImage;
  /** Full tag name when the input named a tag. */
  tag?: string;
}

/** What every surgery returns. */
export interface SurgeryResult {
  /** Descriptor of the new manifest (or index). */
  descriptor: Descriptor;
  /** The tag that now points at it, if any. */
  tag?: string;
}

/** Options every surgery takes. */
export interface SurgeryOptions {
  /** Tag for the result (a reference). Default: the tag the input was named by; none for digests. */
  tag?: string;
  /** Platform to pick when the input is a multi-platform index (default: the host's). */
  platform?: Platform | string;
}

/** Reads `ref` (tag, name@digest or digest) from the store, picking one platform of an index. */
export async function readImage(store: ImageStore, ref: string, platform?: Platform | string): Promise<SurgeryInput> {
  const resolved = await resolveStoreRef(store, ref);
  const image = await loadImage(store, resolved.descriptor, platform === undefined ? {} : { platform });
  return resolved.tag ? { image, tag: resolved.tag } : { image };
}

/** Writes the changed image (config, layers, annotations) and tags it. */
export async function writeImage(
  store: ImageStore,
  input: SurgeryInput,
  change: { config: ImageConfig; layers: Descriptor[]; annotations?: Record<string, string> | undefined },
  options: SurgeryOptions,
): Promise<SurgeryResult> {
  const family = input.image.descriptor.mediaType === DOCKER.manifest ? 'docker' : 'oci';
  const annotations = change.annotations ?? input.image.manifest.annotations;
  const saved = await saveImage(store, {
    config: change.config,
    layers: change.layers,
    family: family === 'docker' && annotations && Object.keys(annotations).length ? 'oci' : family,
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  });
  const descriptor: Descriptor = { mediaType: saved.descriptor.mediaType, digest: saved.descriptor.digest, size: saved.descriptor.size };
  const tag = await tagResult(store, descriptor, options.tag, input.tag);
  return tag ? { descriptor, tag } : { descriptor };
}

/** Points the requested tag (or the input's) at `descriptor`; returns the tag set. */
export async function tagResult(store: ImageStore, descriptor: Descriptor, requested: string | undefined, inputTag: string | undefined): Promise<string | undefined> {
  const tag = requested ? formatReference(parseReference(requested)) : inputTag;
  if (tag) await store.setTag(tag, descriptor);
  return tag;
}

/** True for descriptors of single-image manifests (OCI or Docker). */
export function isImageManifest(descriptor: Descriptor): boolean {
  return isManifestMediaType(descriptor.mediaType);
}
