/**
 * Moving images between any two places that hold them — a registry, an OCI layout, a memory
 * store — keeping every digest: `copy`, and its two common cases `pull` (registry -> store) and
 * `push` (store -> registry).
 *
 * The root manifest is resolved, indexes are walked (all platforms, or the one asked for, which
 * then becomes the root as with `docker pull`), blobs move in parallel (6 at once by default),
 * blobs the target already has are skipped (a HEAD against a registry; a manifest the target
 * already has skips its whole tree), registry-to-registry copies on one host mount instead of
 * uploading, and manifests are written children first so a reader never sees a dangling reference.
 *
 * Blob content is verified exactly once on its way in: a store's `put` checks digest and size
 * before the blob becomes visible (so a registry source streams to it unhashed), a registry checks
 * what is uploaded to it, and content going from a registry to a registry is hashed in between.
 *
 * @module
 */
import { Readable } from 'node:stream';
import type { Digest } from '../digest/digest.js';
import { OciKitError } from '../errors.js';
import { isIndexMediaType } from '../image/media-types.js';
import { availablePlatforms, formatPlatform, hostPlatform, selectManifest } from '../image/platform.js';
import type { Descriptor, ImageIndex, Platform } from '../image/types.js';
import { formatReference, parseReference, type Reference } from '../reference/reference.js';
import type { ImageStore } from '../store/blob-store.js';
import { RegistryClient, type RepositoryName } from './client.js';
import { forEachLimit } from './limit.js';

/** Where an image is: a registry reference, or a name (tag or digest) in a store. */
export type ImageLocation =
  | { type: 'registry'; reference: Reference | string }
  | { type: 'store'; store: ImageStore; /** Tag name in the store, or a manifest digest. */ name: string };

/** Options of {@link copy}, {@link pull} and {@link push}. */
export interface CopyOptions {
  /** The client for registry ends (default: a new one, closed afterwards). */
  client?: RegistryClient;
  /**
   * `all` keeps every platform of an index; a platform (`linux/arm64` or an object) picks that
   * manifest, which then becomes the copied root. Defaults: `copy` and `push` all, `pull` the host.
   */
  platform?: Platform | string;
  /** Blob transfers at once (default 6). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** What a copy did. */
export interface CopyResult {
  /** The root descriptor written at the destination. */
  descriptor: Descriptor;
  /** The destination name: full reference for registries and store tags, or the digest. */
  name: string;
  manifests: number;
  /**
   * Blobs moved, skipped because present, and mounted. `skipped` counts the blobs of manifests the
   * target already had too (found by reading the source's manifests, without asking the target).
   */
  blobs: { copied: number; skipped: number; mounted: number };
  /** True when the target already had the whole image (its root manifest): only the tag was written. */
  upToDate: boolean;
  /** Bytes of blobs moved. */
  bytes: number;
}

interface Source {
  label: string;
  repository?: RepositoryName;
  resolve(): Promise<{ descriptor: Descriptor; bytes: Buffer }>;
  manifest(descriptor: Descriptor): Promise<Buffer>;
  /** Opens a blob; `verify` asks for hashing on the way when the sink does not verify. */
  blob(descriptor: Descriptor, verify: boolean): Promise<Readable>;
}

interface Sink {
  label: string;
  /** Whether a manifest it holds guarantees it holds everything the manifest references (registries do). */
  manifestsComplete: boolean;
  hasManifest(descriptor: Descriptor): Promise<boolean>;
  putBlob(descriptor: Descriptor, source: Source): Promise<'exists' | 'mounted' | 'uploaded'>;
  putManifest(descriptor: Descriptor, bytes: Buffer, root: boolean): Promise<void>;
  name(root: Descriptor): string;
}

/** Copies an image from `source` to `destination`, keeping digests. */
export async function copy(source: ImageLocation | string, destination: ImageLocation | string, options: CopyOptions = {}): Promise<CopyResult> {
  const client = options.client ?? new RegistryClient();
  try {
    const src = await openSource(toLocation(source), client, options.signal);
    const dst = openSink(toLocation(destination), client, src, options.signal);
    return await run(src, dst, options.platform ?? 'all', options);
  } finally {
    if (!options.client) client.close();
  }
}

/**
 * Pulls `reference` from its registry into `store`, tagging it there with the full normalized
 * reference (`docker.io/library/alpine:3.20`). The platform defaults to this machine's; pass
 * `platform: 'all'` to keep a whole index.
 */
export async function pull(reference: Reference | string, store: ImageStore, options: CopyOptions = {}): Promise<CopyResult> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const name = formatReference(ref);
  return copy({ type: 'registry', reference: ref }, { type: 'store', store, name }, { ...options, platform: options.platform ?? hostPlatform() });
}

/**
 * Pushes the image a store names `name` (a tag such as `localhost:5000/app:1`, given in full or
 * familiar form) to `destination` (default: the same reference).
 */
export async function push(store: ImageStore, name: string, destination?: Reference | string, options: CopyOptions = {}): Promise<CopyResult> {
  const storeName = await findStoreName(store, name);
  const target = destination ?? storeName;
  return copy({ type: 'store', store, name: storeName }, { type: 'registry', reference: target }, options);
}

/** The store's tag for `name`: as given, or normalized (`app:1` -> `docker.io/library/app:1`). */
async function findStoreName(store: ImageStore, name: string): Promise<string> {
  if (await store.resolveTag(name)) return name;
  try {
    const normalized = formatReference(parseReference(name));
    if (await store.resolveTag(normalized)) return normalized;
  } catch {
    // Not a reference: report the name as given below.
  }
  throw new OciKitError('ERR_IMAGE_NOT_FOUND', `no image named ${name} in the store`, { hint: 'list the store\'s images, or pull or build the image first' });
}

function toLocation(location: ImageLocation | string): ImageLocation {
  return typeof location === 'string' ? { type: 'registry', reference: location } : location;
}

async function openSource(location: ImageLocation, client: RegistryClient, signal: AbortSignal | undefined): Promise<Source> {
  if (location.type === 'registry') {
    const ref = typeof location.reference === 'string' ? parseReference(location.reference) : location.reference;
    const repo = { registry: ref.registry, repository: ref.repository };
    return {
      label: formatReference(ref),
      repository: repo,
      resolve: async () => {
        const fetched = await client.getManifest(repo, ref.digest ?? ref.tag ?? 'latest', { signal });
        return { descriptor: fetched.descriptor, bytes: fetched.bytes };
      },
      manifest: async (d) => (await client.getManifest(repo, d.digest, { signal })).bytes,
      blob: async (d, verify) => client.openBlob(repo, d, { signal, verify }),
    };
  }
  const { store, name } = location;
  return {
    label: name,
    resolve: async () => {
      const descriptor = name.includes('@') || !/^[a-z0-9]+:[a-f0-9]{32,}$/.test(name) ? await store.resolveTag(name) : await describeStoreManifest(store, name as Digest);
      if (!descriptor) throw new OciKitError('ERR_IMAGE_NOT_FOUND', `no image named ${name} in the store`);
      return { descriptor, bytes: await store.get(descriptor.digest) };
    },
    manifest: (d) => store.get(d.digest),
    // Blobs in a store were verified when they were written.
    blob: (d) => store.open(d.digest),
  };
}

async function describeStoreManifest(store: ImageStore, digest: Digest): Promise<Descriptor | undefined> {
  if (!(await store.has(digest))) return undefined;
  const bytes = await store.get(digest);
  const parsed = JSON.parse(bytes.toString()) as { mediaType?: string; manifests?: unknown };
  const mediaType = parsed.mediaType ?? (parsed.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json');
  return { mediaType, digest, size: bytes.byteLength };
}

function openSink(location: ImageLocation, client: RegistryClient, source: Source, signal: AbortSignal | undefined): Sink {
  if (location.type === 'registry') {
    const ref = typeof location.reference === 'string' ? parseReference(location.reference) : location.reference;
    const repo = { registry: ref.registry, repository: ref.repository };
    const mountFrom = source.repository?.registry === repo.registry && source.repository.repository !== repo.repository ? source.repository.repository : undefined;
    return {
      label: formatReference(ref),
      manifestsComplete: true,
      hasManifest: async (d) => (await client.headManifest(repo, d.digest, { signal })) !== undefined,
      putBlob: async (d, src) => {
        const open = async (offset: number) => skipBytes(await src.blob(d, src.repository !== undefined), offset);
        return (await client.uploadBlob(repo, open, d, { signal, mountFrom })).how;
      },
      putManifest: async (d, bytes, root) => {
        await client.putManifest(repo, root && ref.tag ? ref.tag : d.digest, bytes, d.mediaType, { signal });
      },
      name: (root) => formatReference({ registry: repo.registry, repository: repo.repository, ...(ref.tag ? { tag: ref.tag } : { digest: root.digest }) }),
    };
  }
  const { store, name } = location;
  return {
    label: name,
    manifestsComplete: false,
    hasManifest: (d) => store.has(d.digest),
    putBlob: async (d, src) => {
      if (await store.has(d.digest)) return 'exists';
      await store.put(await src.blob(d, false), { digest: d.digest, size: d.size, signal });
      return 'uploaded';
    },
    putManifest: async (d, bytes, root) => {
      await store.put(bytes, { digest: d.digest, size: d.size });
      if (root) await store.setTag(name, { mediaType: d.mediaType, digest: d.digest, size: d.size });
    },
    name: () => name,
  };
}

/** Drops the first `count` bytes of a stream (to resume an upload from a blob opened at 0). */
function skipBytes(stream: Readable, count: number): Readable {
  if (count === 0) return stream;
  let left = count;
  return Readable.from(
    (async function* () {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (left >= chunk.byteLength) {
          left -= chunk.byteLength;
          continue;
        }
        yield left > 0 ? chunk.subarray(left) : chunk;
        left = 0;
      }
    })(),
    { objectMode: false },
  );
}

interface Plan {
  /** Manifests in write order: children before parents, root last. */
  manifests: { descriptor: Descriptor; bytes: Buffer }[];
  blobs: Map<Digest, Descriptor>;
  /** Blobs of manifests the target already has: counted as skipped, never transferred. */
  present: Set<Digest>;
}

async function run(src: Source, dst: Sink, platform: Platform | string, options: CopyOptions): Promise<CopyResult> {
  let root = await src.resolve();
  if (platform !== 'all' && isIndexMediaType(root.descriptor.mediaType)) {
    root = await pickPlatform(src, root, platform);
  }
  const plan: Plan = { manifests: [], blobs: new Map(), present: new Set() };
  const upToDate = dst.manifestsComplete && (await dst.hasManifest(root.descriptor));
  if (upToDate) {
    // Re-pushing what the target has: only the tag needs writing.
    plan.manifests.push(root);
    await collectBlobs(src, root.descriptor, root.bytes, plan.present);
  } else {
    await walk(src, dst, root.descriptor, root.bytes, plan, true);
  }
  for (const digest of plan.blobs.keys()) plan.present.delete(digest);
  const result: CopyResult = {
    descriptor: root.descriptor,
    name: dst.name(root.descriptor),
    manifests: plan.manifests.length,
    blobs: { copied: 0, skipped: plan.present.size, mounted: 0 },
    bytes: 0,
    upToDate,
  };
  const blobs = [...plan.blobs.values()].sort((a, b) => b.size - a.size);
  await forEachLimit(blobs, options.concurrency ?? 6, async (blob) => {
    options.signal?.throwIfAborted();
    const how = await dst.putBlob(blob, src);
    if (how === 'uploaded') {
      result.blobs.copied++;
      result.bytes += blob.size;
    } else if (how === 'mounted') result.blobs.mounted++;
    else result.blobs.skipped++;
  });
  for (const { descriptor, bytes } of plan.manifests) {
    await dst.putManifest(descriptor, bytes, descriptor.digest === root.descriptor.digest);
  }
  return result;
}

async function pickPlatform(src: Source, root: { descriptor: Descriptor; bytes: Buffer }, platform: Platform | string): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
  const index = JSON.parse(root.bytes.toString()) as ImageIndex;
  const chosen = selectManifest(index, platform);
  if (chosen) return { descriptor: withoutPlatform(chosen), bytes: await src.manifest(chosen) };
  for (const nested of index.manifests.filter((m) => isIndexMediaType(m.mediaType))) {
    const inner = { descriptor: nested, bytes: await src.manifest(nested) };
    try {
      return await pickPlatform(src, inner, platform);
    } catch {
      // Try the next nested index.
    }
  }
  const wanted = typeof platform === 'string' ? platform : formatPlatform(platform);
  throw new OciKitError('ERR_PLATFORM_NOT_FOUND', `${src.label} has no image for ${wanted}`, {
    hint: `available: ${availablePlatforms(index).join(', ') || 'none'}; choose one with --platform`,
  });
}

function withoutPlatform(d: Descriptor): Descriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

async function walk(src: Source, dst: Sink, descriptor: Descriptor, bytes: Buffer, plan: Plan, isRoot: boolean): Promise<void> {
  if (plan.manifests.some((m) => m.descriptor.digest === descriptor.digest)) return;
  // A target that already has a (non-root) manifest has everything it references.
  const present = !isRoot && dst.manifestsComplete && (await dst.hasManifest(descriptor));
  if (present) {
    await collectBlobs(src, descriptor, bytes, plan.present);
    return;
  }
  const parsed = JSON.parse(bytes.toString()) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
  if (isIndexMediaType(descriptor.mediaType) || Array.isArray(parsed.manifests)) {
    for (const child of parsed.manifests ?? []) await walk(src, dst, child, await src.manifest(child), plan, false);
  } else {
    for (const blob of [parsed.config, ...(parsed.layers ?? [])]) if (blob) plan.blobs.set(blob.digest, blob);
  }
  plan.manifests.push({ descriptor, bytes });
}

/** Adds the blob digests a manifest (or an index, through its children) references to `into`. */
async function collectBlobs(src: Source, descriptor: Descriptor, bytes: Buffer, into: Set<Digest>): Promise<void> {
  const parsed = JSON.parse(bytes.toString()) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
  if (isIndexMediaType(descriptor.mediaType) || Array.isArray(parsed.manifests)) {
    for (const child of parsed.manifests ?? []) await collectBlobs(src, child, await src.manifest(child), into);
  } else {
    for (const blob of [parsed.config, ...(parsed.layers ?? [])]) if (blob) into.add(blob.digest);
  }
}

