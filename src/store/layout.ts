/**
 * An OCI image layout on disk (image-spec image-layout.md) used as a content-addressed store:
 * `oci-layout` (the version marker), `index.json` (an image index, image-index.md, whose entries
 * are the store's roots) and `blobs/<alg>/<encoded>`.
 *
 * Tags are `index.json` entries annotated with `org.opencontainers.image.ref.name` (annotations.md)
 * holding the full normalized reference, and `io.containerd.image.name` holding the same, which is
 * what skopeo (`oci:DIR:REF`), umoci (`--image DIR:REF`) and containerd look for. Entries without a
 * name (untagged manifests, referrers) are kept as they are.
 *
 * Writes are atomic: a blob is streamed to a temporary file under `.oci-kit/tmp/` in the layout,
 * fsync'd, verified against its digest and size, and only then renamed to `blobs/`; `index.json` is
 * replaced the same way while holding `.oci-kit/index.lock`, re-reading it under the lock, so two
 * processes tagging at once never lose a tag and readers always see valid JSON.
 *
 * A layout instance that writes blobs holds a lease (`.oci-kit/leases/`, see lease.ts) from its
 * first `put` until {@link OciLayout.close} or process exit, so garbage collection in another
 * process spares blobs it has not tagged yet; `setTag` checks, under the lock, that the whole
 * graph below the tagged descriptor is present, so a tag never names missing content.
 *
 * @module
 */
import { mkdir, open, readFile, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { isDigest, isDigestAlgorithm, parseDigest, type Digest } from '../digest/digest.js';
import { OCI } from '../image/media-types.js';
import { ANNOTATIONS, type Descriptor, type ImageIndex, type OciLayoutHeader } from '../image/types.js';
import { processAlive, syncDirectory, temporaryName, temporaryOwner, writeFileAtomic } from './atomic-file.js';
import type { BlobInfo, BlobSource, ImageStore, PutOptions, TaggedDescriptor } from './blob-store.js';
import { BlobNotFoundError, InvalidLayoutError } from './errors.js';
import { assertGraphPresent } from './graph.js';
import { inspectLeases, takeLease, type LeaseScan, type StoreLease } from './lease.js';
import { withFileLock, type FileLockOptions } from './lock.js';
import { PutVerifier, sourceChunks } from './source.js';
import { assertDescriptor, assertTagName } from './validate.js';

/** Options for {@link OciLayout.open}. */
export interface OpenLayoutOptions {
  /** Create the layout (and the directory) when it does not exist yet. */
  create?: boolean;
  /** How long a writer waits for another process's `index.json` update (default 60 s). */
  lockTimeoutMs?: number;
}

/** What {@link OciLayout.removeStaleTemporaryFiles} removed. */
export interface RemovedTemporaryFiles {
  count: number;
  bytes: number;
}

const LAYOUT_FILE = 'oci-layout';
const INDEX_FILE = 'index.json';
const PRIVATE_DIR = '.oci-kit';
const LAYOUT_VERSION = '1.0.0';
/** Temporary files whose creator may still be alive are only removed after this long. */
const TEMP_MAX_AGE_MS = 24 * 3600_000;
// Big enough that a blob write is a few syscalls per MiB, small enough that memory stays flat.
const READ_CHUNK = 1 << 20;
const WRITE_BATCH = 1 << 20;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** The name a tag entry of `index.json` carries, or undefined for an untagged entry. */
export function entryName(entry: Descriptor): string | undefined {
  return entry.annotations?.[ANNOTATIONS.refName] ?? entry.annotations?.[ANNOTATIONS.containerdImageName];
}

/** The descriptor of an `index.json` entry without the naming annotations the store added. */
function withoutNames(entry: Descriptor): Descriptor {
  const copy = structuredClone(entry);
  if (copy.annotations) {
    delete copy.annotations[ANNOTATIONS.refName];
    delete copy.annotations[ANNOTATIONS.containerdImageName];
    if (Object.keys(copy.annotations).length === 0) delete copy.annotations;
  }
  return copy;
}

/** An OCI image layout directory used as an {@link ImageStore}. */
export class OciLayout implements ImageStore {
  /** The lease taken by the first `put`, protecting this instance's untagged blobs. */
  private writeLease: Promise<StoreLease> | undefined;

  private constructor(
    /** Absolute path of the layout directory. */
    readonly path: string,
    private readonly lockOptions: FileLockOptions,
  ) {}

  /**
   * Opens the layout at `dir`. Throws `ERR_NOT_OCI_LAYOUT` when `dir` is not a layout (unless
   * `create` is set and `dir` is missing or empty) and `ERR_INVALID_LAYOUT` when its `oci-layout` or
   * `index.json` is damaged.
   */
  static async open(dir: string, options: OpenLayoutOptions = {}): Promise<OciLayout> {
    const layout = new OciLayout(resolve(dir), { timeoutMs: options.lockTimeoutMs ?? 60_000 });
    await layout.check(options.create === true);
    return layout;
  }

  private get tempDir(): string {
    return join(this.path, PRIVATE_DIR, 'tmp');
  }

  private get leaseDir(): string {
    return join(this.path, PRIVATE_DIR, 'leases');
  }

  private get lockPath(): string {
    return join(this.path, PRIVATE_DIR, 'index.lock');
  }

  private blobPath(digest: Digest): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.path, 'blobs', algorithm, hex);
  }

  private async check(create: boolean): Promise<void> {
    let header: string | undefined;
    try {
      header = await readFile(join(this.path, LAYOUT_FILE), 'utf8');
    } catch (err) {
      if (errno(err) === 'ENOTDIR') {
        throw new InvalidLayoutError('ERR_NOT_OCI_LAYOUT', `${this.path} is a file, not an OCI image layout directory`);
      }
      if (errno(err) !== 'ENOENT') throw err;
    }
    if (header === undefined) {
      const entries = await readdir(this.path).catch((err: unknown) => {
        if (errno(err) === 'ENOENT') return undefined;
        throw err;
      });
      if (!create) {
        throw new InvalidLayoutError(
          'ERR_NOT_OCI_LAYOUT',
          entries === undefined
            ? `no OCI image layout at ${this.path}: the directory does not exist`
            : `${this.path} is not an OCI image layout: it has no "${LAYOUT_FILE}" file`,
          'use a directory holding an OCI image layout, or a new or empty one (the CLI creates its store on the first write; the API with OciLayout.open(dir, { create: true }))',
        );
      }
      if (entries !== undefined && entries.some((name) => name !== PRIVATE_DIR && name !== INDEX_FILE && name !== 'blobs')) {
        throw new InvalidLayoutError(
          'ERR_NOT_OCI_LAYOUT',
          `refusing to create an OCI image layout in ${this.path}: the directory is not empty and has no "${LAYOUT_FILE}" file`,
          'choose an empty or new directory',
        );
      }
      await this.initialize();
      return;
    }
    let parsed: Partial<OciLayoutHeader> | undefined;
    try {
      parsed = JSON.parse(header) as Partial<OciLayoutHeader>;
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.imageLayoutVersion !== 'string') {
      throw new InvalidLayoutError('ERR_INVALID_LAYOUT', `${join(this.path, LAYOUT_FILE)} is not valid: expected {"imageLayoutVersion": "1.0.0"}`);
    }
    if (!parsed.imageLayoutVersion.startsWith('1.')) {
      throw new InvalidLayoutError(
        'ERR_INVALID_LAYOUT',
        `${this.path} uses OCI image layout version ${parsed.imageLayoutVersion}; oci-kit reads version 1.x`,
      );
    }
    await this.readIndex();
  }

  private async initialize(): Promise<void> {
    await mkdir(join(this.path, 'blobs', 'sha256'), { recursive: true });
    await mkdir(this.tempDir, { recursive: true });
    await withFileLock(
      this.lockPath,
      async () => {
        // image-layout.md: index.json must exist; create it only if another process did not.
        const hasIndex = await stat(join(this.path, INDEX_FILE)).then(() => true, () => false);
        if (!hasIndex) {
          const empty: ImageIndex = { schemaVersion: 2, mediaType: OCI.index, manifests: [] };
          await writeFileAtomic(join(this.path, INDEX_FILE), `${JSON.stringify(empty)}\n`, this.tempDir);
        }
        const header: OciLayoutHeader = { imageLayoutVersion: LAYOUT_VERSION };
        // Written last: a directory with an oci-layout file is a complete layout.
        await writeFileAtomic(join(this.path, LAYOUT_FILE), JSON.stringify(header), this.tempDir);
      },
      this.lockOptions,
    );
  }

  // ---- BlobStore ----

  async has(digest: Digest): Promise<boolean> {
    return (await this.stat(digest)) !== undefined;
  }

  async stat(digest: Digest): Promise<BlobInfo | undefined> {
    try {
      const info = await stat(this.blobPath(digest));
      return info.isFile() ? { digest, size: info.size } : undefined;
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  async open(digest: Digest): Promise<Readable> {
    let handle: FileHandle;
    try {
      handle = await open(this.blobPath(digest), 'r');
    } catch (err) {
      if (errno(err) === 'ENOENT') throw new BlobNotFoundError(digest, this.path);
      throw err;
    }
    return handle.createReadStream({ highWaterMark: READ_CHUNK, autoClose: true });
  }

  async get(digest: Digest): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(digest));
    } catch (err) {
      if (errno(err) === 'ENOENT') throw new BlobNotFoundError(digest, this.path);
      throw err;
    }
  }

  async put(source: BlobSource, options: PutOptions = {}): Promise<BlobInfo> {
    options.signal?.throwIfAborted();
    await this.holdWriteLease();
    const verifier = new PutVerifier(options);
    await mkdir(this.tempDir, { recursive: true });
    const temp = join(this.tempDir, temporaryName('blob'));
    let handle: FileHandle | undefined;
    let writing: Promise<unknown> | undefined;
    try {
      handle = await open(temp, 'wx', 0o644);
      // Small chunks are batched so a stream of tiny pieces does not cost one write(2) each, and one
      // batch is written (on libuv's thread pool) while the next is read and hashed, so hashing and
      // disk I/O overlap. At most two batches are held: memory does not grow with the blob.
      const file = handle;
      const flush = async (chunks: Uint8Array[]): Promise<void> => {
        await writing;
        writing = file.writev(chunks);
        // Keep a failed write from surfacing as an unhandled rejection before it is awaited.
        writing.catch(() => undefined);
      };
      let batch: Uint8Array[] = [];
      let batched = 0;
      for await (const chunk of sourceChunks(source)) {
        verifier.add(chunk);
        batch.push(chunk);
        batched += chunk.byteLength;
        if (batched >= WRITE_BATCH) {
          await flush(batch);
          batch = [];
          batched = 0;
        }
      }
      if (batched > 0) await flush(batch);
      await writing;
      const info = verifier.finish();
      await handle.sync();
      await handle.close();
      handle = undefined;
      const { algorithm } = parseDigest(info.digest);
      const dir = join(this.path, 'blobs', algorithm);
      await mkdir(dir, { recursive: true });
      await rename(temp, this.blobPath(info.digest));
      await syncDirectory(dir);
      return info;
    } catch (err) {
      await writing?.catch(() => undefined);
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw err;
    }
  }

  async delete(digest: Digest): Promise<boolean> {
    try {
      await rm(this.blobPath(digest));
      return true;
    } catch (err) {
      if (errno(err) === 'ENOENT') return false;
      throw err;
    }
  }

  async *list(): AsyncIterable<Digest> {
    const algorithms = await readdir(join(this.path, 'blobs')).catch((err: unknown) => {
      if (errno(err) === 'ENOENT') return [];
      throw err;
    });
    for (const algorithm of algorithms.sort()) {
      if (!isDigestAlgorithm(algorithm)) continue;
      const names = await readdir(join(this.path, 'blobs', algorithm)).catch(() => []);
      for (const hex of names.sort()) {
        const digest = `${algorithm}:${hex}`;
        if (isDigest(digest)) yield digest;
      }
    }
  }

  /** Modification time of a blob in ms, used by garbage collection to spare fresh blobs. */
  async blobModifiedTime(digest: Digest): Promise<number | undefined> {
    return stat(this.blobPath(digest)).then((s) => s.mtimeMs, () => undefined);
  }

  // ---- leases ----

  /**
   * Takes a lease of its own: until it is released, garbage collection (in any process, this
   * instance included) spares every blob written after now. Use it around a long operation that
   * stores blobs and tags them at the end, with `await using lease = await layout.lease()`.
   */
  async lease(): Promise<StoreLease> {
    await mkdir(this.leaseDir, { recursive: true });
    return takeLease(this.leaseDir);
  }

  private async holdWriteLease(): Promise<void> {
    if (!this.writeLease) {
      const taking = this.lease();
      this.writeLease = taking;
      // A failed attempt is retried by the next put.
      taking.catch(() => {
        if (this.writeLease === taking) this.writeLease = undefined;
      });
    }
    await this.writeLease;
  }

  /**
   * Releases the write lease taken by the first `put` (a later `put` takes a new one). Call it when
   * this instance's writes are tagged or abandoned; process exit releases it too.
   */
  async close(): Promise<void> {
    const lease = this.writeLease;
    this.writeLease = undefined;
    await (await lease?.catch(() => undefined))?.release();
  }

  /**
   * The live leases of the layout, for garbage collection: the oldest live lease (other than this
   * instance's own write lease, whose blobs are its caller's to judge), and stale leases of dead
   * processes, which are removed unless `dryRun`.
   */
  async leases(options: { dryRun?: boolean } = {}): Promise<LeaseScan> {
    const own = await this.writeLease?.catch(() => undefined);
    return inspectLeases(this.leaseDir, { exclude: new Set(own ? [own.path] : []), dryRun: options.dryRun === true });
  }

  // ---- index.json ----

  /** Reads and validates `index.json` (image-index.md). */
  async readIndex(): Promise<ImageIndex> {
    const path = join(this.path, INDEX_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (errno(err) === 'ENOENT') {
        throw new InvalidLayoutError('ERR_INVALID_LAYOUT', `${this.path} has an "${LAYOUT_FILE}" file but no ${INDEX_FILE}`);
      }
      throw err;
    }
    let index: unknown;
    try {
      index = JSON.parse(text);
    } catch (err) {
      throw new InvalidLayoutError('ERR_INVALID_LAYOUT', `${path} is not valid JSON: ${(err as Error).message}`);
    }
    const shape = index as Partial<ImageIndex> | null;
    if (typeof shape !== 'object' || shape === null || shape.schemaVersion !== 2 || !Array.isArray(shape.manifests)) {
      throw new InvalidLayoutError('ERR_INVALID_LAYOUT', `${path} is not an image index: expected schemaVersion 2 and a "manifests" array`);
    }
    shape.manifests.forEach((entry, i) => {
      try {
        assertDescriptor(entry, `entry ${i}`);
      } catch (err) {
        throw new InvalidLayoutError('ERR_INVALID_LAYOUT', `${path}: ${(err as Error).message}`);
      }
    });
    return shape as ImageIndex;
  }

  /**
   * Runs `change` on a freshly read `index.json` while holding the layout lock, and writes the
   * result atomically when `change` returns true. Every index.json writer goes through here.
   */
  async updateIndex(change: (index: ImageIndex) => boolean | Promise<boolean>): Promise<void> {
    await this.exclusive(async () => {
      const index = await this.readIndex();
      if (await change(index)) {
        await writeFileAtomic(join(this.path, INDEX_FILE), `${JSON.stringify(index)}\n`, this.tempDir);
      }
    });
  }

  /** Runs `fn` while holding the layout's lock: no other oci-kit process changes index.json meanwhile. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // Layouts written by other tools have no private directory yet.
    await mkdir(this.tempDir, { recursive: true });
    return withFileLock(this.lockPath, fn, this.lockOptions);
  }

  /** Every `index.json` entry, tagged or not: what garbage collection marks from. */
  async rootDescriptors(): Promise<Descriptor[]> {
    return (await this.readIndex()).manifests;
  }

  // ---- ReferenceStore ----

  async listTags(): Promise<TaggedDescriptor[]> {
    const tags: TaggedDescriptor[] = [];
    for (const entry of (await this.readIndex()).manifests) {
      const name = entryName(entry);
      if (name !== undefined) tags.push({ name, descriptor: withoutNames(entry) });
    }
    return tags;
  }

  async resolveTag(name: string): Promise<Descriptor | undefined> {
    const entry = (await this.readIndex()).manifests.findLast((e) => entryName(e) === name);
    return entry && withoutNames(entry);
  }

  async setTag(name: string, descriptor: Descriptor): Promise<void> {
    assertTagName(name);
    assertDescriptor(descriptor);
    const entry: Descriptor = {
      ...withoutNames(descriptor),
      annotations: {
        ...withoutNames(descriptor).annotations,
        [ANNOTATIONS.refName]: name,
        [ANNOTATIONS.containerdImageName]: name,
      },
    };
    await this.updateIndex(async (index) => {
      // Checked under the lock: garbage collection, which holds it, cannot delete a blob in between,
      // so whatever raced with this tag, the tag never names missing content.
      await assertGraphPresent(this, descriptor, this.path);
      // Replace in place (keeping the order tools list images in) and drop any duplicates.
      const at = index.manifests.findIndex((e) => entryName(e) === name);
      const others = index.manifests.filter((e) => entryName(e) !== name);
      others.splice(at === -1 ? others.length : at, 0, entry);
      index.manifests = others;
      return true;
    });
  }

  async removeTag(name: string): Promise<boolean> {
    let removed = false;
    await this.updateIndex((index) => {
      const kept = index.manifests.filter((e) => entryName(e) !== name);
      removed = kept.length !== index.manifests.length;
      index.manifests = kept;
      return removed;
    });
    return removed;
  }

  // ---- housekeeping ----

  /**
   * Removes temporary files left by writers that died: those whose process is gone, and any older
   * than a day. Files of live writers are kept, so this is safe while other processes write.
   */
  async removeStaleTemporaryFiles(): Promise<RemovedTemporaryFiles> {
    const removed: RemovedTemporaryFiles = { count: 0, bytes: 0 };
    const names = await readdir(this.tempDir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(this.tempDir, name);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      const owner = temporaryOwner(name);
      const abandoned = owner === undefined || owner !== process.pid ? owner === undefined || !processAlive(owner) : false;
      if (abandoned || Date.now() - info.mtimeMs > TEMP_MAX_AGE_MS) {
        await rm(path, { force: true });
        removed.count++;
        removed.bytes += info.size;
      }
    }
    return removed;
  }
}
