/**
 * Garbage collection of a store: mark every blob reachable from the roots (for a layout, every
 * `index.json` entry, tagged or not; image-layout.md#indexjson-file) through image indexes
 * (image-index.md `manifests`), manifests (manifest.md `config`, `layers`) and `subject` links,
 * keep manifests that refer to a kept manifest through their `subject` (the referrers of
 * image-spec 1.1, manifest.md#image-manifest-property-descriptions), and delete everything else,
 * plus temporary files abandoned by writers that died.
 *
 * Marking and sweeping hold the store's lock, so no tag can be pointed at a blob while it is being
 * judged unreachable. A writer that has stored blobs but not yet tagged them does not hold the
 * lock but a lease (lease.ts): unreachable blobs written after the oldest live lease was taken
 * are spared. `minAgeMs` additionally spares blobs younger than that.
 *
 * @module
 */
import type { Digest } from '../digest/digest.js';
import { isDigest } from '../digest/digest.js';
import { isIndexMediaType, isManifestMediaType } from '../image/media-types.js';
import type { Descriptor } from '../image/types.js';
import type { ImageStore } from './blob-store.js';
import { InvalidLayoutError } from './errors.js';
import type { LeaseScan } from './lease.js';

/** Optional store capabilities garbage collection uses when a store has them (OciLayout has all). */
export interface CollectableStore extends ImageStore {
  /** The descriptors marking starts from; defaults to the tagged descriptors. */
  rootDescriptors?(): Promise<Descriptor[]>;
  /** Runs `fn` while no other writer can change the roots. */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>;
  /** When a blob was written, in ms since the epoch. */
  blobModifiedTime?(digest: Digest): Promise<number | undefined>;
  /** The writers' leases: the oldest live one, and stale ones removed (unless `dryRun`). */
  leases?(options: { dryRun?: boolean }): Promise<LeaseScan>;
  /** Deletes temporary files of writers that are gone. */
  removeStaleTemporaryFiles?(): Promise<{ count: number; bytes: number }>;
}

/** Options for {@link collectGarbage}. */
export interface GarbageCollectionOptions {
  /** Spare unreachable blobs written less than this many ms ago (default 0: delete them all). */
  minAgeMs?: number;
  /** Only report what would be freed. */
  dryRun?: boolean;
}

/** What {@link collectGarbage} freed. */
export interface GarbageCollectionResult {
  /** Number of blobs deleted. */
  count: number;
  /** Bytes of the deleted blobs plus removed temporary files. */
  bytes: number;
  digests: Digest[];
  /** Blobs that stay: reachable ones plus {@link GarbageCollectionResult.spared} ones. */
  kept: number;
  /** Unreachable blobs kept because a live lease or `minAgeMs` protects them. */
  spared: number;
  /** Leases of running writers seen, and stale leases of dead ones removed (or found, in a dry run). */
  leases: { live: number; stale: number };
  temporaryFiles: { count: number; bytes: number };
}

/**
 * Blobs are compared with a lease by modification time, which file systems keep at a coarse
 * granularity (2 s on some) and NFS clients take from the server: this margin absorbs both.
 */
const LEASE_CLOCK_MARGIN_MS = 2_000;

/** Largest blob inspected as a possible referrer manifest (manifests are small; layers are not parsed). */
const MAX_MANIFEST_SIZE = 4 << 20;

interface Linked {
  subject?: Descriptor;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  blobs?: Descriptor[];
}

function isDescriptorLike(value: unknown): value is Descriptor {
  return typeof value === 'object' && value !== null && typeof (value as Descriptor).digest === 'string' && isDigest((value as Descriptor).digest);
}

/** The descriptors a manifest or index document links to. */
function linksOf(document: Linked): Descriptor[] {
  const out: Descriptor[] = [];
  for (const single of [document.subject, document.config]) if (isDescriptorLike(single)) out.push(single);
  for (const list of [document.layers, document.manifests, document.blobs]) {
    if (Array.isArray(list)) out.push(...list.filter(isDescriptorLike));
  }
  return out;
}

function parseJsonObject(bytes: Buffer): Linked | undefined {
  if (bytes[0] !== 0x7b /* { */ && bytes[0] !== 0x20 && bytes[0] !== 0x0a) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Linked) : undefined;
  } catch {
    return undefined;
  }
}

/** Deletes every blob of `store` that nothing reachable refers to. */
export async function collectGarbage(store: CollectableStore, options: GarbageCollectionOptions = {}): Promise<GarbageCollectionResult> {
  const run = () => collect(store, options);
  return store.exclusive ? store.exclusive(run) : run();
}

async function collect(store: CollectableStore, options: GarbageCollectionOptions): Promise<GarbageCollectionResult> {
  const roots = store.rootDescriptors ? await store.rootDescriptors() : (await store.listTags()).map((t) => t.descriptor);
  const marked = new Set<Digest>();

  const mark = async (start: Descriptor[]): Promise<void> => {
    const queue = [...start];
    while (queue.length > 0) {
      const descriptor = queue.pop()!;
      if (!isDigest(descriptor.digest) || marked.has(descriptor.digest)) continue;
      marked.add(descriptor.digest);
      if (!isManifestMediaType(descriptor.mediaType) && !isIndexMediaType(descriptor.mediaType)) continue;
      if (!(await store.has(descriptor.digest))) continue;
      const document = parseJsonObject(await store.get(descriptor.digest));
      if (!document) {
        // Its links are unknown, so anything could be one of them: deleting nothing is the only safe answer.
        throw new InvalidLayoutError(
          'ERR_INVALID_LAYOUT',
          `garbage collection stopped: ${descriptor.digest} (${descriptor.mediaType}) is not valid JSON, so what it references cannot be known; nothing was deleted`,
          'remove or re-pull the damaged image, then run prune again',
        );
      }
      queue.push(...linksOf(document));
    }
  };
  await mark(roots);

  // Referrers: unreachable manifests whose subject is kept are kept too (and what they link to).
  const referrers = new Map<Digest, Linked>();
  for await (const digest of store.list()) {
    if (marked.has(digest)) continue;
    const info = await store.stat(digest);
    if (!info || info.size > MAX_MANIFEST_SIZE) continue;
    const document = parseJsonObject(await store.get(digest));
    if (document && isDescriptorLike(document.subject)) referrers.set(digest, document);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [digest, document] of referrers) {
      if (marked.has(digest) || !marked.has(document.subject!.digest)) continue;
      marked.add(digest);
      await mark(linksOf(document));
      changed = true;
    }
  }

  const result: GarbageCollectionResult = {
    count: 0,
    bytes: 0,
    digests: [],
    kept: 0,
    spared: 0,
    leases: { live: 0, stale: 0 },
    temporaryFiles: { count: 0, bytes: 0 },
  };
  const unreachable: Digest[] = [];
  for await (const digest of store.list()) {
    if (marked.has(digest)) result.kept++;
    else unreachable.push(digest);
  }
  // Leases are read after the blobs were listed: a writer takes its lease before renaming its first
  // blob into place, so any listed blob of a running writer has its lease visible by now.
  const leases = store.leases ? await store.leases({ dryRun: options.dryRun === true }) : undefined;
  if (leases) result.leases = { live: leases.live, stale: leases.stale };
  const now = Date.now();
  let sparedFrom = options.minAgeMs ? now - options.minAgeMs : Infinity;
  if (leases?.oldestLiveMs !== undefined) sparedFrom = Math.min(sparedFrom, leases.oldestLiveMs - LEASE_CLOCK_MARGIN_MS);
  for (const digest of unreachable) {
    if (sparedFrom !== Infinity && store.blobModifiedTime) {
      const modified = await store.blobModifiedTime(digest);
      if (modified !== undefined && modified > sparedFrom) {
        result.kept++;
        result.spared++;
        continue;
      }
    }
    const info = await store.stat(digest);
    if (!info) continue;
    if (!options.dryRun && !(await store.delete(digest))) continue;
    result.count++;
    result.bytes += info.size;
    result.digests.push(digest);
  }
  if (store.removeStaleTemporaryFiles && !options.dryRun) {
    result.temporaryFiles = await store.removeStaleTemporaryFiles();
    result.bytes += result.temporaryFiles.bytes;
  }
  return result;
}
