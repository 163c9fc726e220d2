/**
 * One streaming pass over an image archive (a tar, possibly gzip-compressed). Archives may put
 * their manifests after the layers (legacy `docker save` writes `manifest.json` last), so nothing
 * waits for them: every file that can be content is streamed into the store as it passes
 * (`blobs/<alg>/<hex>` entries verified against the digest their name promises, other files such as
 * legacy `<id>/layer.tar` hashed on the way), while the small metadata files are kept in memory
 * under a size limit. The caller decides afterwards which blobs form images, and removes the rest.
 *
 * @module
 */
import { once } from 'node:events';
import { extract as tarExtract, type Header } from 'tar-stream';
import { digestOfStream } from '../digest/hasher.js';
import type { Digest } from '../digest/digest.js';
import { DigestMismatchError, SizeMismatchError } from '../digest/verify.js';
import { isOciKitError } from '../errors.js';
import type { ImageStore } from '../store/blob-store.js';
import { decompressed, type SniffedCompression } from './compression.js';
import { ArchiveError, invalidArchive, unknownFormat } from './errors.js';
import { cleanArchivePath, digestOfBlobPath } from './paths.js';

/** A regular file of the archive, now a blob in the store. */
export interface ArchiveFile {
  digest: Digest;
  size: number;
  /** The first bytes, to tell compressed layers from plain tars. */
  head: Buffer;
}

/** Everything one pass learnt about an archive. */
export interface ArchiveContents {
  /** Small files: manifest.json, index.json, oci-layout, repositories, legacy `<hex>.json` configs and v1 `<id>/json`. */
  metadata: Map<string, Buffer>;
  /** Every other regular file, by clean path, now stored as a blob. */
  files: Map<string, ArchiveFile>;
  /** Symlinks and hard links, by clean path, to the clean path they point at. */
  links: Map<string, string>;
  /** Whether the input was gzip-compressed. */
  compression: SniffedCompression;
}

/** Limits and hooks of {@link readArchive}. */
export interface ReadArchiveOptions {
  /** Largest metadata file kept in memory (default 16 MiB); bigger ones fail with `ERR_ARCHIVE_TOO_LARGE`. */
  maxMetadataSize?: number;
  signal?: AbortSignal | undefined;
  /** Called with the number of archive bytes read so far. */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** Default limit for one metadata file: far above any real manifest.json (a few KiB per image). */
export const DEFAULT_MAX_METADATA_SIZE = 16 * 1024 * 1024;
const METADATA_TOTAL_FACTOR = 4;

const TOP_LEVEL_METADATA = new Set(['manifest.json', 'index.json', 'oci-layout', 'repositories']);

// Top-level metadata, and the v1 `<id>/json` of each layer directory: archives from before Docker
// 1.10 have no manifest.json, and their image configs must be rebuilt from those.
function isMetadata(path: string): boolean {
  if (/^[^/]+\/json$/.test(path)) return true;
  return !path.includes('/') && (TOP_LEVEL_METADATA.has(path) || path.endsWith('.json'));
}

// Legacy v1 files that carry nothing oci-kit uses (`VERSION`, `<id>/VERSION`).
function isIgnoredLegacyFile(path: string): boolean {
  return path === 'VERSION' || /\/VERSION$/.test(path);
}

/**
 * Reads the whole archive once. Blobs the store did not hold before are recorded in `added` as soon
 * as they are stored, so the caller can remove them again when the load fails.
 */
export async function readArchive(
  source: AsyncIterable<Uint8Array>,
  store: ImageStore,
  added: Set<Digest>,
  options: ReadArchiveOptions = {},
): Promise<ArchiveContents> {
  const maxMetadata = options.maxMetadataSize ?? DEFAULT_MAX_METADATA_SIZE;
  const contents: ArchiveContents = { metadata: new Map(), files: new Map(), links: new Map(), compression: 'none' };
  let metadataTotal = 0;
  let known: Set<Digest> | undefined;

  const { stream, compression } = await decompressed(counting(source, options.onProgress), { what: 'the archive' });
  contents.compression = compression;
  const extract = tarExtract();
  const pump = (async () => {
    try {
      for await (const chunk of stream) {
        if (!extract.write(chunk)) await once(extract, 'drain');
      }
      (extract as unknown as { end(): void }).end();
    } catch (err) {
      extract.destroy(err as Error);
    }
  })();

  let entries = 0;
  try {
    for await (const entry of extract) {
      options.signal?.throwIfAborted();
      entries++;
      const header: Header = entry.header;
      // streamx readables iterate over Buffers; its typings do not say so.
      const body = entry as unknown as AsyncIterable<Uint8Array>;
      const path = cleanArchivePath(header.name, 'the archive');
      if (header.type === 'symlink' || header.type === 'link') {
        // Symlink targets are relative to the link's directory; hard link targets to the archive root.
        const base = header.type === 'symlink' ? parentOf(path) : '';
        contents.links.set(path, cleanArchivePath(header.linkname ?? '', `the link ${path}`, base));
        entry.resume();
        continue;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      if (isMetadata(path)) {
        if (header.size > maxMetadata || metadataTotal + header.size > maxMetadata * METADATA_TOTAL_FACTOR) {
          throw new ArchiveError('ERR_ARCHIVE_TOO_LARGE', `${path} in the archive is ${header.size} bytes, more than the ${maxMetadata}-byte limit for metadata files`, {
            hint: 'the archive is damaged or hostile; a real manifest.json has a few KiB per image',
          });
        }
        metadataTotal += header.size;
        contents.metadata.set(path, await readAll(body));
        continue;
      }
      if (isIgnoredLegacyFile(path)) {
        entry.resume();
        continue;
      }
      const promised = digestOfBlobPath(path);
      if (promised !== undefined) {
        contents.files.set(path, await storeBlobEntry(body, promised, header.size, store, added, path));
        continue;
      }
      known ??= await listDigests(store);
      const file = await storeFileEntry(body, header.size, store);
      if (!known.has(file.digest)) added.add(file.digest);
      contents.files.set(path, file);
    }
    await pump;
  } catch (err) {
    stream.destroy();
    extract.destroy(err as Error);
    throw translateTarError(err);
  }
  if (entries === 0) throw unknownFormat('it is empty or not a tar file');
  return contents;
}

/** Passes chunks through, reporting the running byte count. */
export async function* counting(source: AsyncIterable<Uint8Array>, onProgress: ((bytes: number) => void) | undefined): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    onProgress?.(total);
    yield chunk;
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

async function readAll(entry: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Collects the first bytes of a stream as it flows, for compression sniffing. */
async function* withHead(source: AsyncIterable<Uint8Array>, head: Buffer[]): AsyncGenerator<Uint8Array> {
  let kept = 0;
  for await (const chunk of source) {
    if (kept < 8) {
      head.push(Buffer.from(chunk.subarray(0, 8 - kept)));
      kept += Math.min(8 - kept, chunk.byteLength);
    }
    yield chunk;
  }
}

async function storeBlobEntry(
  entry: AsyncIterable<Uint8Array>,
  digest: Digest,
  size: number,
  store: ImageStore,
  added: Set<Digest>,
  path: string,
): Promise<ArchiveFile> {
  const head: Buffer[] = [];
  try {
    if (await store.has(digest)) {
      // Already held (and verified when it was stored); the archive's copy must still be right.
      const seen = await digestOfStream(withHead(entry, head), digest.slice(0, digest.indexOf(':')) as 'sha256');
      if (seen.digest !== digest) throw new DigestMismatchError(digest, seen.digest, `archive entry ${path}`);
    } else {
      await store.put(withHead(entry, head), { digest, size });
      added.add(digest);
    }
  } catch (err) {
    if (err instanceof DigestMismatchError || err instanceof SizeMismatchError) {
      throw new ArchiveError('ERR_ARCHIVE_INVALID', `archive entry ${path} does not hold the blob its name promises: ${err.message}`, {
        cause: err,
        hint: 'the archive is damaged or was tampered with; nothing was loaded',
      });
    }
    throw err;
  }
  return { digest, size, head: Buffer.concat(head) };
}

async function storeFileEntry(entry: AsyncIterable<Uint8Array>, size: number, store: ImageStore): Promise<ArchiveFile> {
  const head: Buffer[] = [];
  const info = await store.put(withHead(entry, head), { size });
  return { digest: info.digest, size: info.size, head: Buffer.concat(head) };
}

async function listDigests(store: ImageStore): Promise<Set<Digest>> {
  const all = new Set<Digest>();
  for await (const digest of store.list()) all.add(digest);
  return all;
}

function translateTarError(err: unknown): unknown {
  if (isOciKitError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/invalid tar header|unexpected end of data|not a tar/i.test(message)) {
    return unknownFormat(`it is not a valid tar file (${message})`);
  }
  return invalidArchive(`could not read the archive: ${message}`, err);
}
