/**
 * `import`: a root filesystem tarball (plain, gzip or zstd; a file, a stream such as stdin, or an
 * http(s) URL) becomes a one-layer image, as `docker import` makes one: the tar becomes the layer as
 * it is (compressed, its digest the diffID of the uncompressed bytes), the config gets the platform,
 * the `--change` instructions and a history entry naming the source.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createConfig, saveImage, hostPlatform, type LoadedImage } from '../image/index.js';
import type { Compression } from '../image/media-types.js';
import type { Platform } from '../image/types.js';
import { createLayer, decompressStream } from '../layer/index.js';
import type { ImageStore } from '../store/blob-store.js';
import { applyChanges } from './changes.js';
import { ArchiveError } from './errors.js';
import { tagResult, type SurgeryResult } from './rewrite.js';
import { counting } from './archive-reader.js';

/** Where a rootfs tarball comes from: a path, an http(s) URL, or a stream of bytes. */
export type ImportSource = string | URL | AsyncIterable<Uint8Array>;

/** Options of {@link importRootfs}. */
export interface ImportRootfsOptions {
  /** Tag for the new image. */
  ref?: string;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV A=1`, ...). */
  changes?: string[];
  /** The image's platform (default: the host's). */
  platform?: Platform | string;
  /** Layer compression (default gzip). */
  compression?: Compression;
  /** History comment (default `Imported from <source>`). */
  message?: string;
  signal?: AbortSignal;
  /** Bytes of the source read so far. */
  onProgress?: (bytes: number) => void;
}

/** What {@link importRootfs} made. */
export interface ImportResult extends SurgeryResult {
  image: LoadedImage;
}

/** Makes a one-layer image of a rootfs tarball. */
export async function importRootfs(source: ImportSource, store: ImageStore, options: ImportRootfsOptions = {}): Promise<ImportResult> {
  const { stream, label } = await openSource(source, options.signal);
  const counted = counting(stream, options.onProgress);
  const tar = checkedTar(decompressStream(counted));
  const layer = await createLayer({ tar }, { store, compression: options.compression ?? 'gzip' });
  const platform = options.platform ?? hostPlatform();
  const config = createConfig({
    platform,
    config: applyChanges({}, options.changes ?? []),
    diffIds: [layer.diffId],
    history: [{ created_by: 'oci-kit import', comment: options.message ?? `Imported from ${label}` }],
  });
  if (config.created) config.history![0]!.created = config.created;
  const image = await saveImage(store, { config, layers: [layer.descriptor] });
  const descriptor = { mediaType: image.descriptor.mediaType, digest: image.descriptor.digest, size: image.descriptor.size };
  const tag = await tagResult(store, descriptor, options.ref, undefined);
  return tag ? { descriptor, tag, image } : { descriptor, image };
}

async function openSource(source: ImportSource, signal: AbortSignal | undefined): Promise<{ stream: AsyncIterable<Uint8Array>; label: string }> {
  if (typeof source !== 'string' && !(source instanceof URL)) return { stream: source, label: '-' };
  const text = source.toString();
  if (/^https?:\/\//i.test(text)) {
    let response: Response;
    try {
      response = await fetch(text, signal ? { signal } : {});
    } catch (err) {
      throw new ArchiveError('ERR_IMPORT_SOURCE', `could not fetch ${text}: ${(err as Error).message}`, { cause: err });
    }
    if (!response.ok || !response.body) {
      throw new ArchiveError('ERR_IMPORT_SOURCE', `could not fetch ${text}: HTTP ${response.status} ${response.statusText}`);
    }
    return { stream: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), label: text };
  }
  const stream = createReadStream(text, { highWaterMark: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new ArchiveError('ERR_IMPORT_SOURCE', `cannot read ${text}: ${err.message}`, { cause: err })));
  });
  return { stream, label: text };
}

/**
 * Passes the tar through after checking that it starts with a valid tar header (the checksum of
 * the first 512-byte block, POSIX ustar and v7 alike), so that a wrong file fails clearly.
 */
async function* checkedTar(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let head = Buffer.alloc(0);
  let checked = false;
  for await (const chunk of source) {
    if (!checked) {
      head = Buffer.concat([head, chunk]);
      if (head.byteLength < 512) continue;
      if (!validTarHeader(head.subarray(0, 512))) throw notTar();
      checked = true;
      yield head;
      continue;
    }
    yield chunk;
  }
  if (!checked) {
    // A tar shorter than one block: only an empty archive (all zeros) is acceptable.
    if (head.byteLength > 0 && !head.every((b) => b === 0)) throw notTar();
    if (head.byteLength > 0) yield head;
  }
}

function validTarHeader(block: Buffer): boolean {
  if (block.every((b) => b === 0)) return true;
  const stored = parseInt(block.subarray(148, 156).toString('latin1').replace(/\0.*$/, '').trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return stored === sum;
}

function notTar(): ArchiveError {
  return new ArchiveError('ERR_IMPORT_SOURCE', 'the import source is not a tar archive (plain, gzip or zstd)', {
    hint: 'import takes a root filesystem tarball, e.g. made with "tar -C rootfs -cf rootfs.tar ."',
  });
}
