/**
 * Resolves a base image (FROM, `COPY --from=<image>`, `ImageBuilder.from`) for one platform: the
 * local store first (a tag, or a digest the store holds), then the registry, pulling what is
 * needed into the store. An index is narrowed to the build's platform.
 *
 * @module
 */
import type { Digest } from '../digest/digest.js';
import { isIndexMediaType } from '../image/media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../image/types.js';
import { formatReference, parseReference } from '../reference/reference.js';
import type { ImageStore } from '../store/blob-store.js';
import { BuildError } from './errors.js';
import type { BuildEmitter } from './events.js';
import { formatPlatform } from '../image/platform.js';

/** A base image, loaded. */
export interface BaseImage {
  /** The manifest descriptor. */
  descriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
}

function matches(candidate: Platform | undefined, want: Platform): boolean {
  if (!candidate) return false;
  if (candidate.os !== want.os || candidate.architecture !== want.architecture) return false;
  if (want.variant && candidate.variant && candidate.variant !== want.variant) return false;
  return true;
}

/** Loads a manifest (narrowing an index to `platform`) and its config from the store. */
export async function loadFromStore(store: ImageStore, descriptor: Descriptor, platform: Platform, name: string): Promise<BaseImage> {
  let current = descriptor;
  let bytes = await store.get(current.digest);
  let parsed = JSON.parse(bytes.toString('utf8')) as ImageManifest | ImageIndex;
  if (isIndexMediaType(current.mediaType) || isIndexMediaType(parsed.mediaType) || 'manifests' in parsed) {
    const index = parsed as ImageIndex;
    const pick = index.manifests.find((m) => matches(m.platform, platform));
    if (!pick) {
      const have = index.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : '?')).join(', ');
      throw new BuildError('ERR_PLATFORM_NOT_FOUND', `${name} has no image for ${formatPlatform(platform)} (it has: ${have})`);
    }
    current = pick;
    bytes = await store.get(current.digest);
    parsed = JSON.parse(bytes.toString('utf8')) as ImageManifest;
  }
  const manifest = parsed as ImageManifest;
  const config = JSON.parse((await store.get(manifest.config.digest)).toString('utf8')) as ImageConfig;
  if (config.os !== platform.os || config.architecture !== platform.architecture) {
    throw new BuildError(
      'ERR_PLATFORM_MISMATCH',
      `${name} is ${config.os}/${config.architecture}, not ${formatPlatform(platform)}`,
      { hint: 'pick a base image for the target platform, or build with --platform matching the base' },
    );
  }
  return { descriptor: { ...current, size: current.size }, manifest, config };
}

/** Resolves `reference` for `platform`: store tag or digest first, then the registry. */
export async function resolveBase(
  store: ImageStore,
  reference: string,
  platform: Platform,
  options: { events?: BuildEmitter; pull?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<BaseImage> {
  const ref = parseReference(reference);
  const name = formatReference(ref);
  let descriptor: Descriptor | undefined;
  if (ref.digest) {
    const info = await store.stat(ref.digest);
    if (info) {
      const bytes = await store.get(ref.digest);
      const mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? '';
      descriptor = { mediaType, digest: ref.digest as Digest, size: info.size };
    }
  } else {
    descriptor = await store.resolveTag(name);
  }
  if (!descriptor && options.pull !== false) descriptor = await pullBase(store, name, platform, options);
  if (!descriptor) {
    throw new BuildError('ERR_BASE_NOT_FOUND', `base image ${name} is not in the store`, {
      hint: `pull it first (oci-kit pull ${reference}) or check the name`,
    });
  }
  return loadFromStore(store, descriptor, platform, name);
}

async function pullBase(
  store: ImageStore,
  name: string,
  platform: Platform,
  options: { events?: BuildEmitter; signal?: AbortSignal | undefined },
): Promise<Descriptor> {
  // Loaded on demand: builds from local images never load the HTTP client.
  const { pull } = await import('../registry/copy.js');
  try {
    const { descriptor } = await pull(name, store, options.signal ? { platform, signal: options.signal } : { platform });
    options.events?.emit('pull', { reference: name, digest: descriptor.digest });
    return descriptor;
  } catch (err) {
    throw new BuildError('ERR_BASE_NOT_FOUND', `base image ${name} is not in the store and pulling it failed: ${(err as Error).message}`, {
      cause: err,
      hint: 'check the name, your network, and registry credentials',
    });
  }
}
