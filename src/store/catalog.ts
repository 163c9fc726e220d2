/**
 * What a store holds, described the way people ask about images: resolving a name the user typed
 * (`hello`, `hello@sha256:...`, an image ID prefix) to a descriptor, the image list with sizes and
 * creation times, a `docker image inspect`-shaped record, and the history of an image. The CLI's
 * store commands are thin printers over these functions.
 *
 * @module
 */
import type { Digest } from '../digest/digest.js';
import { OCI, isIndexMediaType, isManifestMediaType } from '../image/media-types.js';
import { PlatformNotFoundError } from '../image/errors.js';
import { loadImage } from '../image/load.js';
import type { ContainerConfig, Descriptor, HistoryEntry, ImageConfig, ImageManifest } from '../image/types.js';
import { familiarName, familiarReference, formatReference, parseReference, type Reference } from '../reference/reference.js';
import type { ImageStore, ReferenceStore } from './blob-store.js';
import { InvalidStoreInputError, TagNotFoundError } from './errors.js';

/** A name the user typed, resolved to what the store holds. */
export interface ResolvedImage {
  /** The tag it was found under, when it was found by name. */
  name?: string;
  /** The manifest or index descriptor. */
  descriptor: Descriptor;
}

/** An image as {@link loadTaggedImage} reads it: the manifest chosen for a platform, and its config. */
export interface CatalogImage {
  /** The descriptor the name resolved to (an index for multi-platform images). */
  target: Descriptor;
  /** The manifest for the platform (equal to `target` for single-platform images). */
  descriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  configDescriptor: Descriptor;
}

/** One row of {@link listImages}. */
export interface ImageSummary {
  /** The tag as stored: `docker.io/library/hello:latest`. */
  name: string;
  /** Familiar repository (`hello`, `localhost:5000/app`), or the stored name when it is not a reference. */
  repository: string;
  /** The tag, or `<none>`. */
  tag: string;
  /** Digest of the tagged manifest or index. */
  digest: Digest;
  mediaType: string;
  /** The config digest: Docker's image ID. Undefined when the image cannot be read. */
  id?: Digest;
  /** Bytes of config + layers (as stored, i.e. compressed), undefined when the image cannot be read. */
  size?: number;
  created?: string;
}

/** One row of {@link imageHistory}, newest first as `docker history` prints. */
export interface HistoryRow {
  /** The image ID on the newest row, `<missing>` on the others (as Docker shows pulled images). */
  id: string;
  created?: string;
  createdBy: string;
  /** Bytes of the layer this step made (0 for steps that made none). */
  size: number;
  comment: string;
  emptyLayer: boolean;
}

/** The object `docker image inspect` prints (one per image), restricted to what an OCI image carries. */
export interface DockerImageInspect {
  Id: Digest;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Author: string;
  Config: ContainerConfig;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  RootFS: { Type: string; Layers: Digest[] };
  Metadata: { LastTagTime: string };
}

/** Options for the functions that pick one image out of a multi-platform index. */
export interface PlatformOptions {
  /** `os/arch[/variant]`; defaults to the host's (linux on this machine's architecture). */
  platform?: string | undefined;
}

const ID_PREFIX = /^(?:sha256:)?([0-9a-f]{4,64})$/;

/** The stored name a user's reference stands for: `hello` -> `docker.io/library/hello:latest`. */
export function normalizeName(input: string): string {
  return formatReference(parseReference(input));
}

function tryParse(name: string): Reference | undefined {
  try {
    const ref = parseReference(name, { defaultTag: false });
    // Only names already in full normalized form are shown familiar; others (skopeo's `v1`) stay as written.
    return formatReference(ref) === name ? ref : undefined;
  } catch {
    return undefined;
  }
}

/** `docker.io/library/hello:latest` -> `hello:latest`; other names unchanged. */
export function familiarTag(name: string): string {
  const ref = tryParse(name);
  return ref ? familiarReference(ref) : name;
}

async function sniffDescriptor(store: ImageStore, digest: Digest): Promise<Descriptor | undefined> {
  const info = await store.stat(digest);
  if (!info || info.size > 4 << 20) return undefined;
  try {
    const doc = JSON.parse((await store.get(digest)).toString('utf8')) as { mediaType?: unknown; manifests?: unknown; config?: unknown };
    const mediaType =
      typeof doc.mediaType === 'string'
        ? doc.mediaType
        : Array.isArray(doc.manifests)
          ? OCI.index
          : doc.config
            ? OCI.manifest
            : undefined;
    if (!isManifestMediaType(mediaType) && !isIndexMediaType(mediaType)) return undefined;
    return { mediaType: mediaType!, digest, size: info.size };
  } catch {
    return undefined;
  }
}

/**
 * Resolves what the user typed: a reference (`hello`, `localhost:5000/app:1`, `app@sha256:...`), a
 * stored name in any form (`v1` written by skopeo), or an image ID / manifest digest or a prefix of
 * at least 4 hex digits of one. Throws `ERR_TAG_NOT_FOUND` when nothing matches.
 */
export async function resolveImage(store: ImageStore, input: string): Promise<ResolvedImage> {
  let ref: Reference | undefined;
  try {
    ref = parseReference(input);
  } catch {
    ref = undefined;
  }
  if (ref?.digest) {
    const wanted = ref.digest;
    const tags = await store.listTags();
    const sameRepo = tags.find((t) => t.descriptor.digest === wanted && tryParse(t.name)?.repository === ref.repository);
    const any = sameRepo ?? tags.find((t) => t.descriptor.digest === wanted);
    if (any) return { name: any.name, descriptor: any.descriptor };
    const sniffed = await sniffDescriptor(store, wanted);
    if (sniffed) return { descriptor: sniffed };
    throw new TagNotFoundError(input);
  }
  if (ref) {
    const name = formatReference(ref);
    const descriptor = await store.resolveTag(name);
    if (descriptor) return { name, descriptor };
  }
  const raw = await store.resolveTag(input);
  if (raw) return { name: input, descriptor: raw };
  const id = ID_PREFIX.exec(input);
  if (id) {
    const found = await findById(store, id[1]!, input);
    if (found) return found;
  }
  throw new TagNotFoundError(input);
}

async function findById(store: ImageStore, hexPrefix: string, input: string): Promise<ResolvedImage | undefined> {
  const matches = new Map<Digest, ResolvedImage>();
  for (const tag of await store.listTags()) {
    const hit = (d: Digest) => d.startsWith(`sha256:${hexPrefix}`);
    let matched = hit(tag.descriptor.digest);
    if (!matched) {
      const image = await loadTaggedImage(store, tag.descriptor).catch(() => undefined);
      matched = image !== undefined && hit(image.configDescriptor.digest);
    }
    if (matched && !matches.has(tag.descriptor.digest)) matches.set(tag.descriptor.digest, { name: tag.name, descriptor: tag.descriptor });
  }
  if (matches.size > 1) {
    throw new InvalidStoreInputError(`"${input}" matches ${matches.size} images; give more digits or a name`, { code: 'ERR_AMBIGUOUS_IMAGE' });
  }
  const [first] = matches.values();
  if (first) return first;
  if (hexPrefix.length === 64) {
    const sniffed = await sniffDescriptor(store, `sha256:${hexPrefix}`);
    if (sniffed) return { descriptor: sniffed };
  }
  return undefined;
}

/**
 * Reads the manifest and config a descriptor leads to, picking the platform's manifest from an
 * index (image-index.md), through `loadImage`, which verifies and validates every document.
 */
export async function loadTaggedImage(store: ImageStore, target: Descriptor, options: PlatformOptions = {}): Promise<CatalogImage> {
  const loaded = await loadImage(store, target, options.platform === undefined ? {} : { platform: options.platform });
  return { target, descriptor: loaded.descriptor, manifest: loaded.manifest, config: loaded.config, configDescriptor: loaded.configDescriptor };
}

/** For listing: the host platform's image, else the first platform an index has. */
async function loadForListing(store: ImageStore, target: Descriptor): Promise<CatalogImage | undefined> {
  try {
    return await loadTaggedImage(store, target);
  } catch (err) {
    if (!(err instanceof PlatformNotFoundError) || err.available[0] === undefined) return undefined;
    return loadTaggedImage(store, target, { platform: err.available[0] }).catch(() => undefined);
  }
}

function imageSize(image: CatalogImage): number {
  return image.configDescriptor.size + image.manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

/** Every tagged image, newest first (as `docker images` orders them), then by name. */
export async function listImages(store: ImageStore): Promise<ImageSummary[]> {
  const rows: ImageSummary[] = [];
  for (const { name, descriptor } of await store.listTags()) {
    const ref = tryParse(name);
    const row: ImageSummary = {
      name,
      repository: ref ? familiarName(ref) : name,
      tag: ref?.tag ?? '<none>',
      digest: descriptor.digest,
      mediaType: descriptor.mediaType,
    };
    const image = await loadForListing(store, descriptor);
    if (image) {
      row.id = image.configDescriptor.digest;
      row.size = imageSize(image);
      if (image.config.created !== undefined) row.created = image.config.created;
    }
    rows.push(row);
  }
  const time = (row: ImageSummary) => (row.created ? Date.parse(row.created) || 0 : 0);
  return rows.sort((a, b) => time(b) - time(a) || a.name.localeCompare(b.name));
}

async function tagsOf(store: ReferenceStore, digest: Digest): Promise<string[]> {
  return (await store.listTags()).filter((t) => t.descriptor.digest === digest).map((t) => t.name);
}

/** The `docker image inspect` record of an image. */
export async function inspectImage(store: ImageStore, input: string, options: PlatformOptions = {}): Promise<DockerImageInspect> {
  const resolved = await resolveImage(store, input);
  const image = await loadTaggedImage(store, resolved.descriptor, options);
  const names = await tagsOf(store, resolved.descriptor.digest);
  const repoTags: string[] = [];
  const repoDigests = new Set<string>();
  for (const name of names) {
    const ref = tryParse(name);
    if (!ref) repoTags.push(name);
    else {
      if (ref.tag !== undefined) repoTags.push(`${familiarName(ref)}:${ref.tag}`);
      repoDigests.add(`${familiarName(ref)}@${resolved.descriptor.digest}`);
    }
  }
  const { config } = image;
  const record: DockerImageInspect = {
    Id: image.configDescriptor.digest,
    RepoTags: repoTags,
    RepoDigests: [...repoDigests],
    Parent: '',
    Comment: config.history?.at(-1)?.comment ?? '',
    Created: config.created ?? '',
    Author: config.author ?? '',
    Config: config.config ?? {},
    Architecture: config.architecture,
    Os: config.os,
    Size: imageSize(image),
    RootFS: { Type: config.rootfs?.type ?? 'layers', Layers: config.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: '' },
  };
  if (config.variant) record.Variant = config.variant;
  if (config['os.version']) record.OsVersion = config['os.version'];
  return record;
}

/** The steps that made an image, newest first, with the size of the layer each made. */
export async function imageHistory(store: ImageStore, input: string, options: PlatformOptions = {}): Promise<HistoryRow[]> {
  const resolved = await resolveImage(store, input);
  const image = await loadTaggedImage(store, resolved.descriptor, options);
  const layers = image.manifest.layers;
  const history: HistoryEntry[] = image.config.history ?? layers.map(() => ({}));
  const rows: HistoryRow[] = [];
  let layer = 0;
  for (const entry of history) {
    const emptyLayer = entry.empty_layer === true;
    const size = emptyLayer ? 0 : (layers[layer++]?.size ?? 0);
    const row: HistoryRow = { id: '<missing>', createdBy: entry.created_by ?? '', size, comment: entry.comment ?? '', emptyLayer };
    if (entry.created !== undefined) row.created = entry.created;
    rows.push(row);
  }
  rows.reverse();
  if (rows[0]) rows[0].id = image.configDescriptor.digest;
  return rows;
}

/** The raw bytes of the document a name resolves to: the index or manifest, or with a platform, that platform's manifest. */
export async function rawManifest(store: ImageStore, input: string, options: PlatformOptions = {}): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
  const { descriptor } = await resolveImage(store, input);
  if (options.platform !== undefined || !isIndexMediaType(descriptor.mediaType)) {
    const chosen = options.platform !== undefined ? (await loadTaggedImage(store, descriptor, options)).descriptor : descriptor;
    return { descriptor: chosen, bytes: await store.get(chosen.digest) };
  }
  return { descriptor, bytes: await store.get(descriptor.digest) };
}

/** The raw bytes of an image's config (for the host platform, or the one given). */
export async function rawConfig(store: ImageStore, input: string, options: PlatformOptions = {}): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
  const { descriptor } = await resolveImage(store, input);
  const image = await loadTaggedImage(store, descriptor, options);
  return { descriptor: image.configDescriptor, bytes: await store.get(image.configDescriptor.digest) };
}
