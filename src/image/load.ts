/**
 * Reading an image out of a store: from a reference (through the store's tags), a digest, or a
 * descriptor, down through an index to the manifest for a platform, then the config. Every document
 * read is checked against its digest and size and validated before use (image-spec descriptor.md
 * "Verification", manifest.md, image-index.md, config.md).
 *
 * @module
 */
import { isDigest, toDigest } from '../digest/digest.js';
import { verifyBytes } from '../digest/verify.js';
import { NotFoundError } from '../errors.js';
import { familiarReference, formatReference, parseReference } from '../reference/reference.js';
import type { BlobStore, ReferenceStore } from '../store/blob-store.js';
import { parseImageConfig } from './config.js';
import { descriptorFail, validateDescriptor } from './descriptor.js';
import { InvalidConfigError, InvalidManifestError, PlatformNotFoundError, UnsupportedManifestError } from './errors.js';
import { validateIndex } from './image-index.js';
import { MAX_MANIFEST_SIZE, parseJsonBytes } from './json.js';
import { checkSchemaVersion, validateManifest } from './manifest.js';
import { DOCKER, OCI, isIndexMediaType, isManifestMediaType } from './media-types.js';
import { availablePlatforms, formatPlatform, hostPlatform, nestedIndexes, parsePlatform, platformCompatible, selectManifest } from './platform.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from './types.js';
import { isObject } from './check.js';

/** What {@link loadImage} reads from: blobs, and tags when the target is a reference. */
export type ImageSource = Pick<BlobStore, 'get' | 'stat'> & Partial<Pick<ReferenceStore, 'resolveTag'>>;

/** One image, read and validated. */
export interface LoadedImage {
  /** Descriptor of the manifest (with the index entry's platform and annotations when it came from one). */
  descriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  configDescriptor: Descriptor;
  /** The index the manifest was chosen from, when the target was an index (its digest is the "repo digest"). */
  index?: { descriptor: Descriptor; index: ImageIndex };
  /** The full normalized reference the target was resolved through, when it was a reference. */
  name?: string;
}

/** Options for {@link loadImage}. */
export interface LoadImageOptions {
  /**
   * The platform to pick from an index (object or `os/arch[/variant]`). Default: this machine. When
   * given explicitly, a single-platform image must match it too.
   */
  platform?: Platform | string;
}

/** Index nesting oci-kit follows; real images use one level, OCI layouts sometimes two. */
const MAX_INDEX_DEPTH = 4;

/**
 * Loads an image. `target` is a reference (`ubuntu`, `localhost:5000/app:1`, looked up as its full
 * normalized name in the store's tags; with `@digest` the digest is used), a digest `sha256:...` of a
 * manifest or index in the store, or a descriptor. An index resolves to the manifest for the platform.
 *
 * Errors: `ERR_NOT_FOUND` (no such tag or document), `ERR_PLATFORM_NOT_FOUND` (lists the platforms the
 * index has), `ERR_UNSUPPORTED_MANIFEST` (Docker schema 1, artifacts that are not images),
 * `ERR_INVALID_MANIFEST` / `ERR_INVALID_CONFIG`, `ERR_DIGEST_MISMATCH` / `ERR_SIZE_MISMATCH`.
 */
export async function loadImage(store: ImageSource, target: string | Descriptor, options: LoadImageOptions = {}): Promise<LoadedImage> {
  const { descriptor, name, shown } = await resolveTarget(store, target);
  const explicit = options.platform !== undefined;
  const platform = options.platform === undefined ? hostPlatform() : typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
  const loaded = await loadDocument(store, descriptor, { platform, explicit, shown }, 0);
  if (name !== undefined) loaded.name = name;
  return loaded;
}

/** Docker's image ID: the digest of the image's config. */
export function imageId(image: Pick<LoadedImage, 'configDescriptor'>): string {
  return image.configDescriptor.digest;
}

interface Resolved {
  descriptor: Descriptor | Omit<Descriptor, 'mediaType'>;
  name?: string;
  /** How to name the target in messages. */
  shown: string;
}

async function resolveTarget(store: ImageSource, target: string | Descriptor): Promise<Resolved> {
  if (typeof target !== 'string') {
    return { descriptor: validateDescriptor(target, 'target'), shown: target.digest };
  }
  // "sha256:<hex>" also parses as the reference docker.io/library/sha256:<hex>; a digest wins, as in Docker.
  if (/^(?:sha256|sha512|blake3):/.test(target) || isDigest(target)) {
    return { descriptor: await byDigest(store, toDigest(target), target), shown: target };
  }
  const ref = parseReference(target);
  const name = formatReference(ref);
  if (ref.digest !== undefined) {
    return { descriptor: await byDigest(store, ref.digest, familiarReference(ref)), name, shown: familiarReference(ref) };
  }
  if (store.resolveTag === undefined) {
    throw new NotFoundError(`cannot look up ${familiarReference(ref)}: this store has no tags`, { hint: 'name the image by digest' });
  }
  const descriptor = await store.resolveTag(name);
  if (descriptor === undefined) {
    throw new NotFoundError(`image ${familiarReference(ref)} not found in the store (no tag ${name})`, {
      hint: 'list the images with "oci-kit images", or pull or build it first',
    });
  }
  return { descriptor, name, shown: familiarReference(ref) };
}

async function byDigest(store: ImageSource, digest: Descriptor['digest'], shown: string): Promise<Omit<Descriptor, 'mediaType'>> {
  const info = await store.stat(digest);
  if (info === undefined) {
    throw new NotFoundError(`no manifest or index ${digest} in the store${shown === digest ? '' : ` (for ${shown})`}`, {
      hint: 'list the images with "oci-kit images"',
    });
  }
  return { digest, size: info.size };
}

interface Walk {
  platform: Platform;
  explicit: boolean;
  shown: string;
}

async function loadDocument(store: ImageSource, descriptor: Descriptor | Omit<Descriptor, 'mediaType'>, walk: Walk, depth: number): Promise<LoadedImage> {
  const declared = 'mediaType' in descriptor ? descriptor.mediaType : undefined;
  if (declared === DOCKER.manifestV1 || declared === DOCKER.manifestV1Signed) {
    checkSchemaVersion({ schemaVersion: 1, mediaType: declared }, descriptorFail('manifest'));
  }
  if (declared !== undefined && !isManifestMediaType(declared) && !isIndexMediaType(declared)) {
    throw new UnsupportedManifestError(
      `${walk.shown} points at a ${declared} document, not an image manifest or index`,
      declared,
      'oci-kit loads images; other artifacts can be read as blobs',
    );
  }
  if (descriptor.size > MAX_MANIFEST_SIZE) {
    throw new InvalidManifestError('manifest', '$', `${descriptor.digest} is ${descriptor.size} bytes, more than the ${MAX_MANIFEST_SIZE} bytes a manifest may have`);
  }
  const bytes = await store.get(descriptor.digest);
  verifyBytes(bytes, { digest: descriptor.digest, size: descriptor.size, what: `manifest ${descriptor.digest}` });
  const json = parseJsonBytes(bytes, descriptorFail(declared !== undefined && isIndexMediaType(declared) ? 'index' : 'manifest'));
  const own = isObject(json) && typeof json.mediaType === 'string' ? json.mediaType : undefined;
  if (isObject(json)) checkSchemaVersion(json, descriptorFail('manifest'));
  const isIndex = own !== undefined ? isIndexMediaType(own) : declared !== undefined ? isIndexMediaType(declared) : isObject(json) && 'manifests' in json && !('config' in json);
  const mediaType = own ?? declared ?? (isIndex ? OCI.index : OCI.manifest);
  const self: Descriptor = { ...descriptor, mediaType };
  if (isIndex) return loadFromIndex(store, self, validateIndex(json), walk, depth);
  return loadManifest(store, self, validateManifest(json), walk);
}

async function loadFromIndex(store: ImageSource, descriptor: Descriptor, index: ImageIndex, walk: Walk, depth: number): Promise<LoadedImage> {
  if (depth >= MAX_INDEX_DEPTH) {
    throw new InvalidManifestError('index', '$', `indexes nest more than ${MAX_INDEX_DEPTH} levels deep under ${walk.shown}`);
  }
  let chosen = selectManifest(index, walk.platform);
  // An index with one manifest and no platform information (some OCI layouts) names that image.
  if (chosen === undefined && index.manifests.length === 1 && index.manifests[0]?.platform === undefined && isManifestMediaType(index.manifests[0]?.mediaType)) {
    chosen = index.manifests[0];
  }
  const available = availablePlatforms(index);
  if (chosen === undefined) {
    for (const nested of nestedIndexes(index)) {
      try {
        const loaded = await loadDocument(store, nested, { ...walk, explicit: true }, depth + 1);
        loaded.index ??= { descriptor, index };
        return loaded;
      } catch (err) {
        if (!(err instanceof PlatformNotFoundError)) throw err;
        available.push(...err.available.filter((p) => !available.includes(p)));
      }
    }
    throw new PlatformNotFoundError(formatPlatform(walk.platform), available, walk.shown);
  }
  const loaded = await loadDocument(store, chosen, { ...walk, explicit: false }, depth + 1);
  loaded.index ??= { descriptor, index };
  return loaded;
}

async function loadManifest(store: ImageSource, descriptor: Descriptor, manifest: ImageManifest, walk: Walk): Promise<LoadedImage> {
  const configDescriptor = manifest.config;
  if (configDescriptor.mediaType !== OCI.config && configDescriptor.mediaType !== DOCKER.config) {
    throw new UnsupportedManifestError(
      `${walk.shown} is not a container image: its config has media type ${configDescriptor.mediaType}` +
        (manifest.artifactType === undefined ? '' : ` (artifact type ${manifest.artifactType})`),
      configDescriptor.mediaType,
      'oci-kit loads images; other artifacts can be read as blobs',
    );
  }
  const configBytes = await store.get(configDescriptor.digest);
  verifyBytes(configBytes, { digest: configDescriptor.digest, size: configDescriptor.size, what: `config ${configDescriptor.digest}` });
  const config = parseImageConfig(configBytes);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new InvalidConfigError(
      'rootfs.diff_ids',
      `has ${config.rootfs.diff_ids.length} entries but manifest ${descriptor.digest} has ${manifest.layers.length} layers`,
    );
  }
  const have: Platform = { os: config.os, architecture: config.architecture, ...(config.variant === undefined ? {} : { variant: config.variant }) };
  if (walk.explicit && !platformCompatible(walk.platform, have)) {
    throw new PlatformNotFoundError(formatPlatform(walk.platform), [formatPlatform(have)], walk.shown);
  }
  return { descriptor, manifest, config, configDescriptor };
}
