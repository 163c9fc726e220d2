/**
 * The tar writer: turns an ordered list of members into tar bytes, emitted as fixed-size chunks
 * (1 MiB by default) so that what follows (hashing, chunked gzip) sees the same chunk boundaries for
 * the same input. File bytes are read with synchronous reads straight into the chunk buffer: on this
 * class of machine one promise per file costs 14x more than the read itself (shared/perf-notes.md),
 * and tar-stream's pack path was measured 3.4-18x slower than GNU tar (see bench/layer.bench.ts).
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync, constants as fsConstants } from 'node:fs';
import type { EntryContent } from './entry.js';
import { InvalidEntryError, SourceChangedError } from './errors.js';
import { BLOCK, encodeHeader, type TarHeader } from './tar-format.js';

/** The chunk size the layer writer uses by default (also the gzip member size). */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/** One member ready to be written: its final header and where its bytes come from. */
export interface WritableEntry {
  header: TarHeader;
  content?: EntryContent | undefined;
  sourcePath?: string | undefined;
}

/**
 * Recycles full-size chunk buffers: whoever is finished with a chunk (the gzip job that compressed
 * it, the pipe that sent it to zstd) gives it back, so a layer of any size cycles through a dozen
 * buffers instead of leaving a trail of 1 MiB garbage for the collector (peak RSS stays flat).
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly keep = 16,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /** Returns a chunk nobody reads any more. Only whole chunks of this pool's size are kept. */
  give(chunk: Uint8Array): void {
    if (chunk.byteLength === this.size && Buffer.isBuffer(chunk) && chunk.byteOffset === 0 && this.free.length < this.keep) {
      this.free.push(chunk);
    }
  }
}

/** Accumulates bytes into fixed-size chunks. */
class Chunker {
  private buf: Buffer;
  private pos = 0;

  constructor(
    private readonly size: number,
    private readonly pool: ChunkPool | undefined,
  ) {
    this.buf = pool ? pool.take() : Buffer.allocUnsafe(size);
  }

  /** Copies `src` in, yielding each chunk that fills up. */
  *write(src: Uint8Array): Generator<Buffer> {
    let offset = 0;
    while (offset < src.length) {
      const n = Math.min(src.length - offset, this.size - this.pos);
      this.buf.set(src.subarray(offset, offset + n), this.pos);
      this.pos += n;
      offset += n;
      if (this.pos === this.size) yield this.take();
    }
  }

  /** Appends `count` zero bytes. */
  *zeros(count: number): Generator<Buffer> {
    while (count > 0) {
      const n = Math.min(count, this.size - this.pos);
      this.buf.fill(0, this.pos, this.pos + n);
      this.pos += n;
      count -= n;
      if (this.pos === this.size) yield this.take();
    }
  }

  /** Reads exactly `size` bytes of an open file into the chunks. */
  *readFile(fd: number, size: number, path: string): Generator<Buffer> {
    let left = size;
    while (left > 0) {
      const want = Math.min(left, this.size - this.pos);
      const n = readSync(fd, this.buf, this.pos, want, null);
      if (n === 0) throw new SourceChangedError(path, `it has ${size - left} bytes, ${size} were expected`);
      this.pos += n;
      left -= n;
      if (this.pos === this.size) yield this.take();
    }
  }

  private take(): Buffer {
    const full = this.buf;
    this.buf = this.pool ? this.pool.take() : Buffer.allocUnsafe(this.size);
    this.pos = 0;
    return full;
  }

  /** The last, partial chunk. */
  rest(): Buffer | undefined {
    return this.pos === 0 ? undefined : this.buf.subarray(0, this.pos);
  }
}

const READ_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);

/**
 * Writes `entries` (already in their final order, with final headers) as a tar archive ending in two
 * zero blocks, yielding chunks of exactly `chunkSize` bytes except the last.
 */
export async function* writeTar(
  entries: Iterable<WritableEntry> | AsyncIterable<WritableEntry>,
  chunkSize = DEFAULT_CHUNK_SIZE,
  pool?: ChunkPool,
): AsyncGenerator<Buffer> {
  if (pool && pool.size !== chunkSize) throw new Error('writeTar: the pool chunk size differs from the chunk size');
  const out = new Chunker(chunkSize, pool);
  for await (const entry of entries) {
    const h = entry.header;
    yield* out.write(encodeHeader(h));
    if (h.type !== 'file' || h.size === 0) continue;
    if (entry.sourcePath !== undefined) {
      const fd = openSync(entry.sourcePath, READ_FLAGS);
      try {
        yield* out.readFile(fd, h.size, entry.sourcePath);
        // A file that grew would silently lose its tail: refuse instead.
        if (fstatSync(fd).size !== h.size) throw new SourceChangedError(entry.sourcePath, 'its size changed');
      } finally {
        closeSync(fd);
      }
    } else {
      let written = 0;
      const c = entry.content;
      if (typeof c === 'function') {
        for await (const piece of c()) {
          written += piece.length;
          if (written > h.size) break;
          yield* out.write(piece);
        }
      } else if (c !== undefined) {
        const bytes = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
        written = bytes.length;
        if (written === h.size) yield* out.write(bytes);
      }
      if (written !== h.size) {
        throw new InvalidEntryError(h.path, `its content has ${written > h.size ? 'more than' : ''} ${written > h.size ? h.size : written} bytes, but size is ${h.size}`.replace('  ', ' '));
      }
    }
    const pad = (BLOCK - (h.size % BLOCK)) % BLOCK;
    yield* out.zeros(pad);
  }
  yield* out.zeros(2 * BLOCK);
  const rest = out.rest();
  if (rest) yield rest;
}
