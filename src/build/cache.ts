/**
 * The build cache. A step's key chains the previous step's key, the instruction as expanded, and
 * the content hash of the files it reads (COPY/ADD sources), so a changed file invalidates its step
 * and every step after it, exactly like BuildKit's cache keys. A record stores what the step
 * produced: the layer's descriptor and diffID (the layer blob itself lives in the store).
 *
 * Where the records live: for an OCI layout store, one small JSON file per key under
 * `<layout>/.oci-kit/build-cache/` (the layout's private folder) (written atomically: temp file, fsync, rename). The layout's
 * `index.json` and `blobs/` are untouched, so skopeo and umoci read the layout as before and never
 * see cache entries as images. Stores without a directory (the in-memory store) get an in-memory
 * cache that lives as long as the store object. A record whose layer blob has been garbage
 * collected is treated as a miss.
 *
 * File content digests are cached too, keyed by each file's stat signature (device, inode, size,
 * mtime, ctime), so a rebuild stats the context instead of reading it; and a whole source set whose
 * signatures are unchanged maps straight to its content hash (a `contentHash` record), so an
 * unchanged rebuild does not even load the per-file table.
 *
 * @module
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { mkdir, readFile, rename, open } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import type { Digest } from '../digest/digest.js';
import type { Descriptor } from '../image/types.js';
import type { ImageStore } from '../store/blob-store.js';

/** What a cached step produced. */
export interface CacheRecord {
  /** The layer's descriptor (compressed blob in the store); absent when the step changed nothing. */
  layer?: Descriptor | undefined;
  /** The layer's diffID (digest of the uncompressed tar). */
  diffId?: Digest | undefined;
  /** The history timestamp of the first build, reused so a cached rebuild yields the same image. */
  created?: string;
  /** For source-set records: the content hash of sources whose stat signatures hashed to the key. */
  contentHash?: string;
}

/** Storage of cache records. */
export interface BuildCache {
  get(key: string): Promise<CacheRecord | undefined>;
  set(key: string, record: CacheRecord): Promise<void>;
  /** Content digests of files by stat signature; persisted by {@link BuildCache.flush}. */
  readonly files: FileDigestCache;
  /** Persists what is only held in memory (the file digest table). */
  flush(): Promise<void>;
}

/** The key of a step: sha256 over the parent key and the step's parts. */
export function stepKey(parent: string, ...parts: string[]): string {
  const hash = createHash('sha256');
  hash.update(parent);
  for (const part of parts) {
    hash.update('\0');
    hash.update(part);
  }
  return hash.digest('hex');
}

/** A table of file content digests keyed by stat signature. */
export class FileDigestCache {
  private readonly table = new Map<string, string>();
  private dirty = false;

  constructor(entries?: Record<string, string>) {
    if (entries) for (const [k, v] of Object.entries(entries)) this.table.set(k, v);
  }

  /** The key that changes whenever the file's content may have changed. */
  static signature(path: string, stats: Stats): string {
    return `${path}\0${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
  }

  get(signature: string): string | undefined {
    return this.table.get(signature);
  }

  set(signature: string, digest: string): void {
    if (this.table.get(signature) === digest) return;
    this.table.set(signature, digest);
    this.dirty = true;
  }

  get changed(): boolean {
    return this.dirty;
  }

  toJSON(): Record<string, string> {
    this.dirty = false;
    return Object.fromEntries(this.table);
  }
}

/** An in-memory cache (for stores without a directory, and for tests). */
export class MemoryBuildCache implements BuildCache {
  private readonly records = new Map<string, CacheRecord>();
  readonly files = new FileDigestCache();
  async get(key: string): Promise<CacheRecord | undefined> {
    return this.records.get(key);
  }
  async set(key: string, record: CacheRecord): Promise<void> {
    this.records.set(key, record);
  }
  async flush(): Promise<void> {}
}

async function writeAtomic(dir: string, name: string, data: string): Promise<void> {
  const temp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, join(dir, name));
}

/** Cache records as files in a directory (inside an OCI layout: `oci-kit-cache/`). */
export class DirectoryBuildCache implements BuildCache {
  private table: FileDigestCache | undefined;
  private readonly filesPath: string;

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'steps'), { recursive: true });
    this.filesPath = join(dir, 'files.json');
  }

  /** Loaded on first use: an unchanged rebuild answers from source-set records and never needs it. */
  get files(): FileDigestCache {
    if (!this.table) {
      let entries: Record<string, string> | undefined;
      if (existsSync(this.filesPath)) {
        try {
          entries = JSON.parse(readFileSync(this.filesPath, 'utf8')) as Record<string, string>;
        } catch {
          // A damaged table only costs re-hashing.
          entries = undefined;
        }
      }
      this.table = new FileDigestCache(entries);
    }
    return this.table;
  }

  async get(key: string): Promise<CacheRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(join(this.dir, 'steps', `${key}.json`), 'utf8')) as CacheRecord;
      return typeof record === 'object' && record !== null && (record.layer === undefined) === (record.diffId === undefined) ? record : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, record: CacheRecord): Promise<void> {
    await mkdir(join(this.dir, 'steps'), { recursive: true });
    await writeAtomic(join(this.dir, 'steps'), `${key}.json`, JSON.stringify(record));
  }

  async flush(): Promise<void> {
    if (!this.table?.changed) return;
    await writeAtomic(this.dir, 'files.json', JSON.stringify(this.table.toJSON()));
  }
}

/** Folder name of the cache inside an OCI layout. */
export const LAYOUT_CACHE_DIR = '.oci-kit/build-cache';

const memoryCaches = new WeakMap<object, BuildCache>();

/** The cache that belongs to a store: a directory inside a layout, else one kept per store object. */
export function cacheForStore(store: ImageStore): BuildCache {
  const path = (store as { path?: unknown }).path;
  if (typeof path === 'string') return new DirectoryBuildCache(join(path, LAYOUT_CACHE_DIR));
  let cache = memoryCaches.get(store);
  if (!cache) {
    cache = new MemoryBuildCache();
    memoryCaches.set(store, cache);
  }
  return cache;
}

/** A cache that never hits and stores nothing (`--no-cache`); records are still written for later builds. */
export class WriteOnlyCache implements BuildCache {
  constructor(private readonly inner: BuildCache) {}
  get files(): FileDigestCache {
    return this.inner.files;
  }
  async get(): Promise<CacheRecord | undefined> {
    return undefined;
  }
  set(key: string, record: CacheRecord): Promise<void> {
    return this.inner.set(key, record);
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
}

