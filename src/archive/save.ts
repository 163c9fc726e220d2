/**
 * `save`: writes images of a store as one tar archive, streaming (each blob goes from the store
 * to the output once; nothing is staged), in one of two forms:
 *
 * - `docker` (default): what Docker 25+ `docker save` writes, which every `docker load` reads.
 *   The blobs and `oci-layout` + `index.json` of an OCI image layout (image-spec image-layout.md),
 *   plus Docker's `manifest.json` (`Config`, `RepoTags`, `Layers` as paths into `blobs/`, which is
 *   all that Docker before 25 reads) and the legacy `repositories` file. Each image is one platform:
 *   indexes are resolved to the manifest for the requested (default: host) platform.
 * - `oci`: an OCI archive, the tarred image layout alone; indexes are kept whole.
 *
 * Images share blobs: each blob is written once. Manifests are written byte for byte, so an image
 * keeps its digest through save and load. Entries carry a fixed mtime (SOURCE_DATE_EPOCH or 0) so
 * the same images give the same archive.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { Digest } from '../digest/digest.js';
import { VerifyingStream } from '../digest/verify.js';
import { availablePlatforms, hostPlatform, selectManifest } from '../image/platform.js';
import { ANNOTATIONS, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from '../image/types.js';
import { OCI } from '../image/media-types.js';
import { familiarReference, formatReference, parseReference, type Reference } from '../reference/index.js';
import type { ImageStore } from '../store/blob-store.js';
import { documentKind, readIndex, readManifest, type DockerArchiveEntry } from './documents.js';
import { ArchiveError } from './errors.js';
import { blobPath } from './paths.js';
import { resolveStoreRef, type StoreImageRef } from './refs.js';

/** The two archive forms {@link saveArchive} writes. */
export type SaveFormat = 'docker' | 'oci';

/** Options of {@link saveArchive}. */
export interface SaveArchiveOptions {
  /** `docker` (default) or `oci`. */
  format?: SaveFormat;
  /** For `docker` archives: the platform picked from multi-platform images (default: the host's). */
  platform?: Platform | string;
  /** Modification time of every entry (default: `$SOURCE_DATE_EPOCH`, else the epoch). */
  mtime?: Date;
  signal?: AbortSignal;
  /** Called with the number of archive bytes written so far. */
  onProgress?: (bytes: number) => void;
  /** Called once the archive's total size is known (before any byte is written). */
  onTotal?: (bytes: number) => void;
}

/** One image written. */
export interface SavedImage {
  /** Descriptor of the manifest (docker) or of the manifest / index (oci) that was written. */
  descriptor: Descriptor;
  /** The references it was saved under (familiar form in `docker` archives' RepoTags). */
  names: string[];
}

/**
 * An image to save: a reference or digest resolved in the store, or a descriptor of a manifest /
 * index the store holds, optionally with the name to save it under.
 */
export type SaveSource = string | { descriptor: Descriptor; reference?: string };

/** Where the archive goes: a writable stream, or a file path (written to a temp file, then renamed). */
export type SaveTarget = Writable | NodeJS.WritableStream | string;

/** What {@link saveArchive} wrote. */
export interface SaveArchiveResult {
  format: SaveFormat;
  images: SavedImage[];
  /** Bytes of the archive. */
  size: number;
}

interface PlannedImage {
  root: Descriptor;
  refs: StoreImageRef[];
  /** docker only */
  config?: Descriptor;
  layers?: Descriptor[];
}

/**
 * Writes the images `refs` name (tags, `name@digest` or bare digests in `store`) to `out` as one
 * archive. Fails with `ERR_IMAGE_NOT_FOUND` before writing anything when a reference is unknown or a
 * blob is missing.
 */
export async function saveArchive(store: ImageStore, refs: SaveSource[], out: SaveTarget, options: SaveArchiveOptions = {}): Promise<SaveArchiveResult> {
  if (typeof out === 'string') return saveToFile(store, refs, out, options);
  const format = options.format ?? 'docker';
  if (refs.length === 0) throw new ArchiveError('ERR_ARCHIVE_INVALID', 'save needs at least one image reference');
  const mtime = options.mtime ?? defaultMtime();

  // Plan everything first: a missing image or blob fails before a single byte is written.
  const planned = new Map<Digest, PlannedImage>();
  const blobs = new Map<Digest, number>();
  for (const input of refs) {
    const ref = await resolveSource(store, input);
    let root = ref.descriptor;
    let image: PlannedImage;
    if (format === 'docker') {
      const picked = await pickManifest(store, root, options.platform ?? hostPlatform(), ref.input);
      root = { mediaType: picked.descriptor.mediaType, digest: picked.descriptor.digest, size: picked.descriptor.size };
      image = planned.get(root.digest) ?? { root, refs: [], config: picked.manifest.config, layers: picked.manifest.layers };
    } else {
      root = { mediaType: root.mediaType, digest: root.digest, size: root.size };
      image = planned.get(root.digest) ?? { root, refs: [] };
    }
    // The same name twice (`save a a`) is written once.
    if (!image.refs.some((r) => r.tag !== undefined && r.tag === ref.tag)) image.refs.push(ref);
    planned.set(root.digest, image);
  }
  for (const image of planned.values()) await collectBlobs(store, image.root, blobs);

  const index: ImageIndex = { schemaVersion: 2, mediaType: OCI.index, manifests: [] };
  const dockerManifest: DockerArchiveEntry[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const image of planned.values()) {
    const named = image.refs.filter((r) => r.tag !== undefined);
    if (named.length === 0) index.manifests.push(image.root);
    for (const ref of named) {
      const annotations: Record<string, string> = { [ANNOTATIONS.refName]: format === 'oci' ? ref.tag! : ref.reference!.tag ?? 'latest' };
      if (format === 'docker') annotations[ANNOTATIONS.containerdImageName] = ref.tag!;
      index.manifests.push({ ...image.root, annotations });
    }
    if (format === 'docker') {
      const layers = image.layers ?? [];
      const present = layers.filter((l) => blobs.has(l.digest));
      const foreign = layers.filter((l) => !blobs.has(l.digest));
      const entry: DockerArchiveEntry = {
        Config: blobPath(image.config!.digest),
        RepoTags: named.map((r) => familiarReference(r.reference!)),
        Layers: present.map((l) => blobPath(l.digest)),
      };
      if (foreign.length) throw new ArchiveError('ERR_ARCHIVE_MISSING_BLOB', `image ${image.refs[0]!.input} has layers the store does not hold (${foreign[0]!.digest}); docker archives need every layer`);
      dockerManifest.push(entry);
      const top = present[present.length - 1];
      for (const ref of named) {
        const name = familiarRepository(ref.reference!);
        (repositories[name] ??= {})[ref.reference!.tag ?? 'latest'] = top ? top.digest.slice(top.digest.indexOf(':') + 1) : '';
      }
    }
  }

  const metadata: Array<[string, Buffer]> = [];
  metadata.push(['index.json', Buffer.from(JSON.stringify(index))]);
  if (format === 'docker') {
    metadata.push(['manifest.json', Buffer.from(JSON.stringify(dockerManifest))]);
    metadata.push(['repositories', Buffer.from(JSON.stringify(repositories))]);
  }
  const layoutHeader = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const total = archiveSize([layoutHeader.byteLength, ...blobs.values(), ...metadata.map(([, b]) => b.byteLength)], blobDirectories(blobs).length + 1);
  options.onTotal?.(total);

  const pack = tarPack();
  // Failures reach the caller through `writing`; this keeps the stream's own error event handled.
  pack.on('error', () => undefined);
  let written = 0;
  const counted = Readable.from(
    (async function* () {
      for await (const chunk of pack as unknown as AsyncIterable<Buffer>) {
        written += chunk.byteLength;
        options.onProgress?.(written);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
  const sending = pipeline(counted, out as Writable, options.signal ? { signal: options.signal } : {});
  const writing = (async () => {
    try {
      await addEntry(pack, { name: 'oci-layout', mtime }, layoutHeader);
      await addDirectory(pack, 'blobs/', mtime);
      for (const dir of blobDirectories(blobs)) await addDirectory(pack, dir, mtime);
      for (const [digest, size] of blobs) {
        options.signal?.throwIfAborted();
        const verified = new VerifyingStream({ digest, size, what: `blob ${digest}` });
        const blob = await store.open(digest);
        blob.once('error', (err) => verified.destroy(err));
        await addStreamEntry(pack, { name: blobPath(digest), size, mtime }, blob.pipe(verified));
      }
      for (const [name, bytes] of metadata) await addEntry(pack, { name, mtime }, bytes);
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
      throw err;
    }
  })();
  await Promise.all([writing, sending]);
  return {
    format,
    size: written,
    images: [...planned.values()].map((p) => ({ descriptor: p.root, names: p.refs.map((r) => r.tag ?? r.input) })),
  };
}

async function resolveSource(store: ImageStore, source: SaveSource): Promise<StoreImageRef> {
  if (typeof source === 'string') return resolveStoreRef(store, source);
  const { descriptor } = source;
  if (!(await store.has(descriptor.digest))) {
    throw new ArchiveError('ERR_ARCHIVE_MISSING_BLOB', `the store lacks ${descriptor.mediaType} ${descriptor.digest}, the image to save`);
  }
  if (!source.reference) return { input: descriptor.digest, descriptor };
  const reference = parseReference(source.reference);
  const { digest: _pinned, ...named } = reference;
  return { input: source.reference, reference, tag: formatReference(named), descriptor };
}

/** Writes the archive next to `path` and renames it into place, so a failed save leaves no partial file. */
async function saveToFile(store: ImageStore, refs: SaveSource[], path: string, options: SaveArchiveOptions): Promise<SaveArchiveResult> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const result = await saveArchive(store, refs, createWriteStream(temp, { flags: 'wx' }), options);
    const handle = await open(temp, 'r+');
    await handle.sync().finally(() => handle.close());
    await rename(temp, path);
    return result;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** The single-platform manifest a docker archive holds for `root`: itself, or the index's pick for `platform`. */
async function pickManifest(store: ImageStore, root: Descriptor, platform: Platform | string, input: string, depth = 0): Promise<{ descriptor: Descriptor; manifest: ImageManifest }> {
  const bytes = await store.get(root.digest);
  const kind = documentKind(root.mediaType, bytes);
  if (kind === 'manifest') return { descriptor: root, manifest: readManifest(bytes, `manifest ${root.digest}`) };
  if (kind !== 'index' || depth > 8) throw new ArchiveError('ERR_ARCHIVE_INVALID', `${input} is not an image (${root.mediaType})`);
  const index = readIndex(bytes, `index ${root.digest}`);
  const child = selectManifest(index, platform);
  if (!child) {
    const wanted = typeof platform === 'string' ? platform : `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
    throw new ArchiveError('ERR_ARCHIVE_INVALID', `${input} has no image for ${wanted} (it has: ${availablePlatforms(index).join(', ') || 'none'})`, {
      hint: 'pass --platform, or --format oci to keep the whole multi-platform index',
    });
  }
  return pickManifest(store, child, platform, input, depth + 1);
}

function defaultMtime(): Date {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : 0);
}

function familiarRepository(reference: Reference): string {
  const familiar = familiarReference({ registry: reference.registry, repository: reference.repository });
  return familiar;
}

/** Every blob below `root` (manifests, indexes, configs, layers), with its size, in write order. */
async function collectBlobs(store: ImageStore, root: Descriptor, blobs: Map<Digest, number>, depth = 0): Promise<void> {
  if (blobs.has(root.digest)) return;
  const info = await store.stat(root.digest);
  if (!info) {
    throw new ArchiveError('ERR_ARCHIVE_MISSING_BLOB', `the store lacks ${root.mediaType} ${root.digest}, which the image needs`, {
      hint: 'pull the image again; an image with missing blobs cannot be saved',
    });
  }
  const bytes = info.size <= 16 * 1024 * 1024 ? await store.get(root.digest) : Buffer.alloc(0);
  const kind = documentKind(root.mediaType, bytes);
  if (kind === 'index' && depth < 8) {
    for (const child of readIndex(bytes, `index ${root.digest}`).manifests) await collectBlobs(store, child, blobs, depth + 1);
  } else if (kind === 'manifest') {
    const manifest = readManifest(bytes, `manifest ${root.digest}`);
    for (const layer of manifest.layers) {
      if (blobs.has(layer.digest)) continue;
      const layerInfo = await store.stat(layer.digest);
      if (!layerInfo) {
        if (layer.urls?.length) continue;
        throw new ArchiveError('ERR_ARCHIVE_MISSING_BLOB', `the store lacks layer ${layer.digest} of manifest ${root.digest}`, {
          hint: 'pull the image again; an image with missing blobs cannot be saved',
        });
      }
      blobs.set(layer.digest, layerInfo.size);
    }
    await collectBlobs(store, manifest.config, blobs, depth + 1);
  }
  // Layers and configs first, the manifest that names them after, as a registry push orders them.
  blobs.set(root.digest, info.size);
}

function blobDirectories(blobs: Map<Digest, number>): string[] {
  return [...new Set([...blobs.keys()].map((d) => `blobs/${d.slice(0, d.indexOf(':'))}/`))];
}

/** Exact tar size: 512-byte header per entry, data padded to 512, two zero blocks at the end. */
function archiveSize(fileSizes: number[], directories: number): number {
  let total = 1024 + directories * 512;
  for (const size of fileSizes) total += 512 + Math.ceil(size / 512) * 512;
  return total;
}

function addEntry(pack: Pack, header: { name: string; mtime: Date }, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ ...header, mode: 0o644, uid: 0, gid: 0 }, bytes, (err) => (err ? reject(err) : resolve()));
  });
}

function addDirectory(pack: Pack, name: string, mtime: Date): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, type: 'directory', mode: 0o755, mtime, uid: 0, gid: 0 }, (err) => (err ? reject(err) : resolve()));
  });
}

async function addStreamEntry(pack: Pack, header: { name: string; size: number; mtime: Date }, body: Readable): Promise<void> {
  let settle: { resolve(): void; reject(err: Error): void } | undefined;
  const packed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const sink = pack.entry({ ...header, mode: 0o644, uid: 0, gid: 0, type: 'file' }, (err) => (err ? settle!.reject(err) : settle!.resolve()));
  // Errors surface through `packed` and the loop below; the listener keeps them from going unhandled.
  sink.on('error', () => undefined);
  packed.catch(() => undefined);
  try {
    for await (const chunk of body) {
      if (!sink.write(chunk as Buffer)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
    }
  } catch (err) {
    sink.destroy(err as Error);
    throw err;
  }
  (sink as unknown as { end(): void }).end();
  await packed;
}
