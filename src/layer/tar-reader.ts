/**
 * A streaming tar reader: ustar, pax (`x` and `g` headers, POSIX.1-2008 pax "Extended Header"),
 * GNU long names (`L`/`K`) and base-256 numbers, with limits on entry count and on the size of the
 * metadata a header may carry, so a hostile archive cannot make us buffer without bound. Sparse
 * files and multi-volume archives are refused (layers never need them).
 *
 * @module
 */
import type { EntryType } from './entry.js';
import { LayerLimitError, TarFormatError } from './errors.js';
import { BLOCK, decodeHeader, isZeroBlock, parsePax, parsePaxTime, typeOfFlag, type TarHeader } from './tar-format.js';

/** Limits of {@link readTar}. */
export interface TarReadLimits {
  /** Maximum number of members. Default 1,000,000. */
  maxEntries?: number | undefined;
  /** Maximum bytes of one pax / GNU long-name header body. Default 1 MiB. */
  maxHeaderSize?: number | undefined;
}

/** One member: its header (pax applied) and its body, which must be read before the next member (or is skipped). */
export interface TarEntry extends TarHeader {
  /** The path exactly as stored (after pax / GNU long names), before any normalization. */
  rawPath: string;
  body(): AsyncGenerator<Buffer>;
}

/** Pulls exact byte counts out of an async iterable of chunks. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private readonly it: AsyncIterator<Uint8Array>;
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    while (!this.done) {
      const next = await this.it.next();
      if (next.done) {
        this.done = true;
        return false;
      }
      if (next.value.length === 0) continue;
      const value = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), value]) : value;
      this.pos = 0;
      return true;
    }
    return false;
  }

  /** Exactly `n` bytes, or undefined at a clean end of input (no bytes at all). */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.buf.length - this.pos < n) {
      if (!(await this.fill())) {
        if (this.buf.length - this.pos === 0) return undefined;
        throw new TarFormatError('unexpected end of tar archive (truncated layer?)');
      }
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Yields exactly `n` bytes in pieces as they arrive. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    while (n > 0) {
      if (this.pos >= this.buf.length && !(await this.fill())) {
        throw new TarFormatError('unexpected end of tar archive inside a file (truncated layer?)');
      }
      const take = Math.min(n, this.buf.length - this.pos);
      const piece = this.buf.subarray(this.pos, this.pos + take);
      this.pos += take;
      n -= take;
      yield piece;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const piece of this.stream(n)) void piece;
  }

  /** Drains the rest of the input (so an upstream verifier sees every byte). */
  async drain(): Promise<void> {
    this.pos = this.buf.length;
    while (await this.fill()) this.pos = this.buf.length;
  }
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** Reads the members of a tar stream. */
export async function* readTar(source: AsyncIterable<Uint8Array>, limits: TarReadLimits = {}): AsyncGenerator<TarEntry> {
  const maxEntries = limits.maxEntries ?? 1_000_000;
  const maxHeaderSize = limits.maxHeaderSize ?? 1 << 20;
  const reader = new ByteReader(source);
  let global = new Map<string, Buffer>();
  let local = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;
  let count = 0;
  for (;;) {
    const block = await reader.read(BLOCK);
    if (block === undefined) return; // end of input without end-of-archive blocks: accepted, as GNU tar does
    if (isZeroBlock(block)) {
      await reader.drain();
      return;
    }
    const raw = decodeHeader(block);
    const flag = raw.typeflag;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (raw.size > maxHeaderSize) {
        throw new LayerLimitError(`tar header of ${raw.size} bytes (type ${flag}) exceeds the ${maxHeaderSize}-byte limit`);
      }
      const body = Buffer.from((await reader.read(raw.size)) ?? Buffer.alloc(0));
      await reader.skip(padding(raw.size));
      if (flag === 'x') local = new Map([...local, ...parsePax(body)]);
      else if (flag === 'g') global = new Map([...global, ...parsePax(body)]);
      else {
        const nul = body.indexOf(0);
        const text = body.toString('utf8', 0, nul < 0 ? body.length : nul);
        if (flag === 'L') longName = text;
        else longLink = text;
      }
      continue;
    }
    if (flag === 'S' || flag === 'M') throw new TarFormatError(`unsupported tar member type "${flag}" (GNU sparse / multi-volume) at "${raw.name}"`, { code: 'ERR_TAR_UNSUPPORTED' });
    if (flag === 'V') {
      await reader.skip(raw.size + padding(raw.size));
      continue;
    }
    const pax = global.size > 0 ? new Map([...global, ...local]) : local;
    for (const key of pax.keys()) {
      if (key.startsWith('GNU.sparse.')) throw new TarFormatError(`unsupported GNU sparse file at "${raw.name}"`, { code: 'ERR_TAR_UNSUPPORTED' });
    }
    const str = (key: string): string | undefined => pax.get(key)?.toString('utf8');
    const num = (key: string, fallback: number): number => {
      const v = str(key);
      if (v === undefined) return fallback;
      if (!/^\d+$/.test(v)) throw new TarFormatError(`invalid pax ${key} "${v}" at "${raw.name}"`);
      return Number(v);
    };
    const path = str('path') ?? longName ?? raw.name;
    const type: EntryType | undefined = typeOfFlag(flag, path);
    if (type === undefined) throw new TarFormatError(`unknown tar member type "${flag}" at "${path}"`, { code: 'ERR_TAR_UNSUPPORTED' });
    if (++count > maxEntries) throw new LayerLimitError(`layer has more than ${maxEntries} entries`);
    const paxMtime = str('mtime');
    let xattrs: Record<string, Uint8Array> | undefined;
    for (const [key, value] of pax) {
      if (key.startsWith('SCHILY.xattr.')) (xattrs ??= {})[key.slice('SCHILY.xattr.'.length)] = Buffer.from(value);
    }
    // Only regular files have data: the other types are header-only even when the size field is
    // set (Go archive/tar isHeaderOnlyType, POSIX ustar "size").
    const size = num('size', raw.size);
    const dataSize = type === 'file' ? size : 0;
    let consumed = 0;
    let started = false;
    const entry: TarEntry = {
      rawPath: path,
      path,
      type,
      mode: raw.mode & 0o7777,
      uid: num('uid', raw.uid),
      gid: num('gid', raw.gid),
      size: dataSize,
      mtime: paxMtime === undefined ? raw.mtime : parsePaxTime(paxMtime),
      linkname: str('linkpath') ?? longLink ?? raw.linkname,
      uname: str('uname') ?? raw.uname,
      gname: str('gname') ?? raw.gname,
      devmajor: raw.devmajor,
      devminor: raw.devminor,
      xattrs,
      body: async function* () {
        if (started) throw new TarFormatError(`the body of "${path}" was read twice`);
        started = true;
        for await (const piece of reader.stream(dataSize)) {
          consumed += piece.length;
          yield piece;
        }
      },
    };
    local = new Map();
    longName = undefined;
    longLink = undefined;
    yield entry;
    await reader.skip(dataSize - consumed + padding(dataSize));
  }
}
