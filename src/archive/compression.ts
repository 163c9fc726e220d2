/**
 * Recognises how a byte stream is compressed from its first bytes (the magic numbers of gzip,
 * RFC 1952 section 2.3.1; zstd, RFC 8878 section 3.1.1; bzip2; xz) and undoes gzip and zstd on the fly, so
 * `load`, `import` and `append` take plain or compressed tarballs alike without being told which.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { decompressStream } from '../layer/index.js';
import { ArchiveError } from './errors.js';

/** What the first bytes of a stream say about it. */
export type SniffedCompression = 'gzip' | 'zstd' | 'bzip2' | 'xz' | 'none';

/** The compression a stream's first bytes announce. */
export function sniffCompression(head: Uint8Array): SniffedCompression {
  const at = (i: number): number => head[i] ?? -1;
  if (at(0) === 0x1f && at(1) === 0x8b) return 'gzip';
  if (at(0) === 0x28 && at(1) === 0xb5 && at(2) === 0x2f && at(3) === 0xfd) return 'zstd';
  if (at(0) === 0x42 && at(1) === 0x5a && at(2) === 0x68) return 'bzip2';
  if (at(0) === 0xfd && at(1) === 0x37 && at(2) === 0x7a && at(3) === 0x58 && at(4) === 0x5a && at(5) === 0x00) return 'xz';
  return 'none';
}

/** A stream whose first bytes have been read, put back in front of the rest. */
export interface PeekedStream {
  head: Buffer;
  stream: Readable;
}

/**
 * Reads at least `bytes` bytes (fewer only when the stream is shorter) and returns them together
 * with a stream that yields everything, head included.
 */
export async function peek(source: AsyncIterable<Uint8Array>, bytes = 8): Promise<PeekedStream> {
  const iterator = source[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    taken.push(chunk);
    length += chunk.byteLength;
  }
  const head = Buffer.concat(taken);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.byteLength > 0) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    }
  }
  const stream = Readable.from(rest(), { objectMode: false });
  // Closing the wrapper early (an error downstream) must also release the source.
  stream.once('close', () => void iterator.return?.().catch(() => undefined));
  return { head: head.subarray(0, Math.min(head.byteLength, bytes)), stream };
}

/** Options for {@link decompressed}. */
export interface DecompressOptions {
  /** Used in error messages: `the archive`, `layer file rootfs.tar.zst`, ... */
  what: string;
}

/**
 * The uncompressed content of a plain, gzip- or zstd-compressed stream, and which it was. bzip2 and
 * xz are refused with a clear error: Node has no decoder for them.
 */
export async function decompressed(source: AsyncIterable<Uint8Array>, options: DecompressOptions): Promise<{ stream: Readable; compression: SniffedCompression }> {
  const { head, stream } = await peek(source, 6);
  const compression = sniffCompression(head);
  if (compression === 'none') return { stream, compression };
  if (compression === 'gzip') {
    // A 1 MiB output chunk makes gunzip about 3.5x faster than the 16 KiB default (perf-notes.md).
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    stream.once('error', (err) => gunzip.destroy(err));
    gunzip.once('close', () => stream.destroy());
    return { stream: stream.pipe(gunzip), compression };
  }
  if (compression === 'zstd') {
    // Node 20's zlib has no zstd; the layer module's decoder (zlib when present, else fzstd) does it.
    return { stream: Readable.from(decompressStream(stream), { objectMode: false }), compression };
  }
  stream.destroy();
  throw new ArchiveError('ERR_ARCHIVE_FORMAT', `${options.what} is ${compression}-compressed, which oci-kit cannot decompress`, {
    hint: `decompress it first (for example "${compression === 'xz' ? 'xz -d' : 'bunzip2'}") or use gzip or zstd`,
  });
}
