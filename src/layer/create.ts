/**
 * `createLayer`: a directory, a list of entries, or an existing tar stream in, one layer blob out
 * (image-spec layer.md "Layer Changesets", descriptor.md, config.md "rootfs.diff_ids"). One streaming
 * pass: tar chunks -> sha256 (the diffID) -> compression -> the store's atomic `put` (which computes
 * the compressed digest and size while it writes). Nothing holds more than a few chunks in memory.
 *
 * Reproducibility: entries sorted (entry.ts), uname/gname empty, mtimes clamped to
 * SOURCE_DATE_EPOCH (reproducible-builds.org/specs/source-date-epoch), gzip headers without time or
 * name, gzip members cut at fixed tar offsets.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../digest/digest.js';
import { layerMediaType, type Compression } from '../image/media-types.js';
import type { Descriptor } from '../image/types.js';
import type { BlobStore } from '../store/blob-store.js';
import { compressStream, decompressStream, rechunk } from './compress.js';
import { canonicalPath, comparePaths, defaultMode, parentOf, type LayerEntry } from './entry.js';
import { InvalidEntryError, TarFormatError } from './errors.js';
import { readTar } from './tar-reader.js';
import { ChunkPool, DEFAULT_CHUNK_SIZE, writeTar, type WritableEntry } from './tar-writer.js';
import { walkEntries, type WalkedEntry } from './walk.js';
import { XattrLookup } from './xattr.js';

/** What a layer is made from. */
export type LayerSource =
  | { dir: string }
  | { entries: Iterable<LayerEntry> }
  | { tar: AsyncIterable<Uint8Array> };

/** Options that shape the entries of a layer (shared by createLayer, the diff and flatten). */
export interface EntryOptions {
  /** Clamp every mtime to at most this (seconds). Default: `$SOURCE_DATE_EPOCH` when set. */
  sourceDateEpoch?: number | undefined;
  /** Set every mtime to this (seconds). */
  mtime?: number | undefined;
  /** Set every owner. */
  chown?: { uid: number; gid: number } | undefined;
  /** Set the permission bits of every file and directory (not symlinks). */
  chmod?: number | undefined;
  /** Put everything under this path inside the layer (its missing parents are added as directories). */
  prefix?: string | undefined;
  /** Keep only the paths (layer-relative, before `prefix`) for which this returns true. */
  include?: ((path: string) => boolean) | undefined;
}

/** Options of {@link createLayer}. */
export interface CreateLayerOptions extends EntryOptions {
  store: BlobStore;
  /** Default gzip. */
  compression?: Compression | undefined;
  /** Media type family of the descriptor. Default `oci`. */
  family?: 'oci' | 'docker' | undefined;
  /** gzip level (default 6) or zstd level (default 3). */
  level?: number | undefined;
  /** Read xattrs of a directory source (default true; needs python3, see xattr.ts). */
  xattrs?: boolean | undefined;
  /** Keep sub-second mtimes of a directory source (pax records). Default false. */
  subsecondMtime?: boolean | undefined;
  /** Tar chunk size = gzip member size. Default 1 MiB; changing it changes the gzip bytes. */
  chunkSize?: number | undefined;
  /** gzip chunks compressed at once. Default 4. */
  concurrency?: number | undefined;
  /** Annotations for the descriptor. */
  annotations?: Record<string, string> | undefined;
}

/** A layer written into a store. */
export interface LayerResult {
  /** The compressed blob; its media type matches its bytes. */
  descriptor: Descriptor;
  /** sha256 of the uncompressed tar (config.md rootfs.diff_ids). */
  diffId: Digest;
  uncompressedSize: number;
}

/** SOURCE_DATE_EPOCH from the environment, when set and valid. */
export function envSourceDateEpoch(): number | undefined {
  const raw = process.env.SOURCE_DATE_EPOCH;
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/**
 * Turns caller entries into final tar members: canonical paths under `prefix`, filtered, sorted,
 * missing parent directories added, owners/modes/mtimes normalized, hardlinks checked to point at
 * an earlier member.
 */
export function prepareEntries(input: Iterable<LayerEntry>, options: EntryOptions = {}, presorted = false): WritableEntry[] {
  return [...preparedEntries(input, options, presorted)];
}

/** {@link prepareEntries}, producing each member only when the writer gets to it. */
export function* preparedEntries(input: Iterable<LayerEntry>, options: EntryOptions = {}, presorted = false): Generator<WritableEntry> {
  const epoch = options.sourceDateEpoch ?? envSourceDateEpoch();
  const prefix = options.prefix === undefined ? '' : canonicalPath(options.prefix);
  const under = (p: string): string => (prefix === '' ? p : p === '' ? prefix : `${prefix}/${p}`);
  const list: LayerEntry[] = [];
  const seen = new Set<string>();
  for (const raw of input) {
    const rel = canonicalPath(raw.path);
    if (rel === '') continue; // the layer root itself is never a member
    if (options.include && !options.include(rel)) continue;
    const path = under(rel);
    if (seen.has(path)) throw new InvalidEntryError(path, 'the same path is given twice');
    seen.add(path);
    list.push(path === raw.path ? raw : { ...raw, path });
  }
  // Parents every member needs, in the layer, so extraction never invents their metadata.
  const missing: LayerEntry[] = [];
  for (const entry of list) {
    for (let p = parentOf(entry.path); p !== '' && !seen.has(p); p = parentOf(p)) {
      seen.add(p);
      missing.push({ path: p, type: 'dir' });
    }
  }
  if (missing.length > 0) {
    list.push(...missing);
    presorted = false;
  }
  if (!presorted) list.sort((a, b) => comparePaths(a.path, b.path));
  const written = new Set<string>();
  const byPath = new Map(list.map((e) => [e.path, e]));
  // When a hardlink sorts before the file it names, the first name in layer order carries the
  // bytes and the file becomes the link (tar stores content once, at the first name).
  const movedTo = new Map<string, string>();
  for (let e of list) {
    if (e.type === 'hardlink' && e.linkname) {
      const target = under(canonicalPath(e.linkname));
      const file = byPath.get(target);
      if (!written.has(target) && !movedTo.has(target) && file?.type === 'file' && comparePaths(target, e.path) > 0) {
        movedTo.set(target, e.path);
        e = { ...file, path: e.path };
      } else if (movedTo.has(target)) {
        e = { ...e, linkname: movedTo.get(target) as string };
      } else if (prefix !== '') {
        e = { ...e, linkname: target };
      }
    } else if (e.type === 'file' && movedTo.has(e.path)) {
      e = { path: e.path, type: 'hardlink', linkname: movedTo.get(e.path) as string };
    }
    if (e.type === 'hardlink') {
      if (!e.linkname) throw new InvalidEntryError(e.path, 'a hardlink needs a linkname');
      const target = canonicalPath(e.linkname);
      if (!written.has(target)) throw new InvalidEntryError(e.path, `hardlink target "${target}" is not an earlier file of the layer`);
      e = { ...e, linkname: target };
    }
    written.add(e.path);
    yield finalizeEntry(e, options, epoch);
  }
}

/**
 * The final tar header of one entry whose path (and hardlink target) is already canonical and
 * prefixed: defaults, chown/chmod/mtime options, SOURCE_DATE_EPOCH clamp, size checks.
 */
export function finalizeEntry(e: LayerEntry, options: EntryOptions, epoch: number | undefined): WritableEntry {
  let mtime = options.mtime ?? e.mtime ?? epoch ?? 0;
  if (epoch !== undefined && mtime > epoch) mtime = epoch;
  let mode = e.mode ?? defaultMode(e.type);
  if (options.chmod !== undefined && e.type !== 'symlink' && e.type !== 'hardlink') mode = options.chmod;
  let size = 0;
  let content = e.content;
  if (e.type === 'file') {
    if (typeof content === 'string') content = Buffer.from(content, 'utf8');
    if (content instanceof Uint8Array) size = content.length;
    else if (e.size !== undefined) size = e.size;
    else if (content !== undefined || e.sourcePath !== undefined) throw new InvalidEntryError(e.path, 'a streamed file needs a size');
    if (e.size !== undefined && e.size !== size) throw new InvalidEntryError(e.path, `size ${e.size} does not match its ${size}-byte content`);
    if (!Number.isSafeInteger(size) || size < 0) throw new InvalidEntryError(e.path, `invalid size ${size}`);
  }
  const linkname = e.linkname ?? '';
  if (e.type === 'symlink' && linkname === '') throw new InvalidEntryError(e.path, 'a symlink needs a linkname');
  return {
    header: {
      path: e.type === 'dir' ? `${e.path}/` : e.path,
      type: e.type,
      mode,
      uid: options.chown?.uid ?? e.uid ?? 0,
      gid: options.chown?.gid ?? e.gid ?? 0,
      size,
      mtime,
      linkname,
      uname: '',
      gname: '',
      devmajor: e.devmajor ?? 0,
      devminor: e.devminor ?? 0,
      xattrs: e.xattrs && Object.keys(e.xattrs).length > 0 ? e.xattrs : undefined,
    },
    content,
    sourcePath: e.sourcePath,
  };
}

/**
 * Directory sources, streamed: the walk already yields unique canonical paths in layer order with
 * parents first and hardlinks after their targets, so entries go to the writer one at a time and
 * memory does not grow with the number of files. xattrs are looked up in batches by a helper
 * process, one batch ahead of the writer.
 */
async function* streamedDirectoryEntries(dir: string, walked: Iterable<WalkedEntry>, options: Omit<CreateLayerOptions, 'store'>): AsyncGenerator<WritableEntry> {
  const epoch = options.sourceDateEpoch ?? envSourceDateEpoch();
  const prefix = options.prefix === undefined ? '' : canonicalPath(options.prefix);
  if (prefix !== '') {
    const parts = prefix.split('/');
    for (let i = 1; i <= parts.length; i++) yield finalizeEntry({ path: parts.slice(0, i).join('/'), type: 'dir' }, options, epoch);
  }
  const lookup = options.xattrs === false ? undefined : XattrLookup.start(dir);
  const none = Promise.resolve(new Map<string, Record<string, Uint8Array>>());
  const ahead: { entries: WalkedEntry[]; xattrs: Promise<Map<string, Record<string, Uint8Array>>> }[] = [];
  const finish = async function* (batch: { entries: WalkedEntry[]; xattrs: Promise<Map<string, Record<string, Uint8Array>>> }): AsyncGenerator<WritableEntry> {
    const found = await batch.xattrs;
    for (const e of batch.entries) {
      const x = found.get(e.path);
      if (x) e.xattrs = x;
      if (prefix !== '') {
        e.path = `${prefix}/${e.path}`;
        if (e.type === 'hardlink' && e.linkname) e.linkname = `${prefix}/${e.linkname}`;
      }
      yield finalizeEntry(e, options, epoch);
    }
  };
  try {
    let batch: WalkedEntry[] = [];
    const send = (): void => {
      ahead.push({ entries: batch, xattrs: lookup ? lookup.lookup(batch.map((e) => e.path)) : none });
      batch = [];
    };
    for (const e of walked) {
      batch.push(e);
      if (batch.length < XATTR_BATCH) continue;
      send();
      if (ahead.length > 1) yield* finish(ahead.shift() as (typeof ahead)[number]);
    }
    if (batch.length > 0) send();
    while (ahead.length > 0) yield* finish(ahead.shift() as (typeof ahead)[number]);
  } finally {
    lookup?.close();
  }
}

/** Paths per xattr look-up batch: big enough to amortize the round trip, small enough to overlap. */
const XATTR_BATCH = 256;

/** The tar chunks of a source, before compression. */
export function tarOfSource(source: LayerSource, options: Omit<CreateLayerOptions, 'store'> = {}, pool?: ChunkPool): AsyncIterable<Buffer> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if ('tar' in source) return rechunk(checkedTarSource(source.tar), chunkSize);
  if ('dir' in source) return tarOfDirectory(source.dir, options, chunkSize, pool);
  return writeTar(preparedEntries(source.entries, options), chunkSize, pool);
}

/**
 * The uncompressed bytes of a `tar` source, checked to be a tar while they pass: gzip and zstd input
 * is decompressed (detected from its magic bytes, as when applying), and every byte also goes
 * through the tar reader, so the diffID is the sha256 of a real tar (image-spec config.md
 * "diff_ids": digests of the uncompressed layer) and the media type matches the stored bytes.
 * Every byte is forwarded, including padding after the end-of-archive blocks.
 */
async function* checkedTarSource(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  // The caller's own input: no ratio or entry-count limit (those guard extraction of foreign layers).
  const plain = decompressStream(input, { maxRatio: Number.POSITIVE_INFINITY })[Symbol.asyncIterator]();
  const passed: Uint8Array[] = [];
  const tapped: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const r = await plain.next();
        if (!r.done) passed.push(r.value);
        return r;
      },
    }),
  };
  try {
    for await (const entry of readTar(tapped, { maxEntries: Number.POSITIVE_INFINITY })) {
      // Bodies are read piece by piece so the bytes waiting here stay one read's worth.
      for await (const piece of entry.body()) {
        void piece;
        while (passed.length > 0) yield passed.shift() as Uint8Array;
      }
      while (passed.length > 0) yield passed.shift() as Uint8Array;
    }
  } catch (err) {
    if (err instanceof TarFormatError) {
      throw new TarFormatError(`the tar source of createLayer is not a valid tar archive: ${err.message}`, {
        cause: err,
        hint: 'pass a plain, gzip or zstd tar stream; other input (zip, bzip2, xz, text) is not a layer',
      });
    }
    throw err;
  }
  while (passed.length > 0) yield passed.shift() as Uint8Array;
}

async function* tarOfDirectory(dir: string, options: Omit<CreateLayerOptions, 'store'>, chunkSize: number, pool: ChunkPool | undefined): AsyncGenerator<Buffer> {
  const walked = walkEntries(dir, { include: options.include, subsecondMtime: options.subsecondMtime });
  yield* writeTar(streamedDirectoryEntries(dir, walked, options), chunkSize, pool);
}

/**
 * Writes a layer blob into `options.store` and returns its descriptor, diffID and uncompressed size.
 * A `tar` source is decompressed when it is gzip or zstd, checked to be a tar, and otherwise
 * stored as is (not re-sorted or clamped); input that is not a tar is a {@link TarFormatError}.
 */
export async function createLayer(source: LayerSource, options: CreateLayerOptions): Promise<LayerResult> {
  const compression = options.compression ?? 'gzip';
  // Compressors hand chunks back once done with them; an uncompressed layer's chunks go to the store.
  const pool = compression === 'none' ? undefined : new ChunkPool(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  return storeTar(tarOfSource(source, options, pool), options.store, compression, { ...options, pool });
}

/** Hashes, compresses and stores a stream of tar chunks as a layer. */
export async function storeTar(
  tar: AsyncIterable<Buffer>,
  store: BlobStore,
  compression: Compression,
  options: Pick<CreateLayerOptions, 'family' | 'level' | 'concurrency' | 'annotations'> & { pool?: ChunkPool | undefined } = {},
): Promise<LayerResult> {
  // An uncompressed layer's diffID is its blob digest, which the store computes anyway.
  const diffHash = compression === 'none' ? undefined : createHash('sha256');
  let uncompressedSize = 0;
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of tar) {
      diffHash?.update(chunk);
      uncompressedSize += chunk.length;
      yield chunk;
    }
  }
  const info = await store.put(compressStream(hashed(), compression, { level: options.level, concurrency: options.concurrency, pool: options.pool }));
  const descriptor: Descriptor = { mediaType: layerMediaType(compression, options.family ?? 'oci'), digest: info.digest, size: info.size };
  if (options.annotations) descriptor.annotations = { ...options.annotations };
  const diffId: Digest = diffHash ? `sha256:${diffHash.digest('hex')}` : info.digest;
  return { descriptor, diffId, uncompressedSize };
}
