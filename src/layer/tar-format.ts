/**
 * Tar headers: the POSIX ustar header block and pax extended headers (POSIX.1-2008, pax
 * "Extended Header" records `"%d %s=%s\n"`), encoded and decoded by hand. Writing uses ustar
 * whenever the fields fit and a pax header only for what does not (names over the ustar limits,
 * non-ASCII names, uid/gid over 2097151, sizes of 8 GiB and more, fractional or negative mtimes,
 * xattrs as `SCHILY.xattr.*`), which is what the image-spec layer.md requires ("Layer Changesets":
 * tar archives in POSIX/pax format). Reading also understands GNU long names (`L`/`K`) and base-256
 * numbers, because GNU tar and Go write them.
 *
 * @module
 */
import type { EntryType } from './entry.js';
import { TarFormatError } from './errors.js';

export const BLOCK = 512;

/** Header fields of one member, before encoding / after decoding (pax values applied). */
export interface TarHeader {
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch, possibly fractional. */
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  xattrs: Record<string, Uint8Array> | undefined;
}

const TYPE_FLAG: Record<EntryType, number> = {
  file: 0x30,
  hardlink: 0x31,
  symlink: 0x32,
  char: 0x33,
  block: 0x34,
  dir: 0x35,
  fifo: 0x36,
};

const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e || s.charCodeAt(i) < 0x20) return false;
  return true;
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  block.write(text, offset, length - 1, 'latin1');
  block[offset + length - 1] = 0;
}

/** GNU base-256 encoding, for numbers octal cannot hold (device numbers only, when huge). */
function writeBase256(block: Buffer, offset: number, length: number, value: number): void {
  let v = BigInt(value);
  for (let i = offset + length - 1; i > offset; i--) {
    block[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[offset] = 0x80;
}

function writeNumber(block: Buffer, offset: number, length: number, value: number): void {
  const max = length === 8 ? MAX_OCTAL_8 : MAX_OCTAL_12;
  if (value >= 0 && value <= max) writeOctal(block, offset, length, value);
  else writeBase256(block, offset, length, value);
}

/** One pax record; the length prefix counts itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(key) + value.length + 3; // ' ' + '=' + '\n'
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`), value, Buffer.from('\n')]);
}

/**
 * Formats an mtime as pax decimal seconds: the shortest decimal that reads back as the same double
 * (so 1700000000.000001 stays that, not ...000000954), at most 9 fractional digits.
 */
export function formatPaxTime(mtime: number): string {
  const text = String(mtime);
  if (!/e/i.test(text)) {
    const [whole, frac = ''] = text.split('.');
    const kept = frac.slice(0, 9).replace(/0+$/, '');
    return kept === '' ? (whole as string) : `${whole}.${kept}`;
  }
  return mtime.toFixed(9).replace(/\.?0+$/, '');
}

/** Splits a path into ustar prefix (<= 155 bytes) and name (<= 100 bytes), or undefined. */
function splitUstar(path: string): [string, string] | undefined {
  if (path.length <= 100) return ['', path];
  if (path.length > 256) return undefined;
  for (let i = path.length - 1; i > 0; i--) {
    if (path.charCodeAt(i) !== 0x2f) continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (prefix.length <= 155 && name.length <= 100 && name.length > 0) return [prefix, name];
    if (name.length > 100) return undefined;
  }
  return undefined;
}

/**
 * Encodes one member's header(s): a pax `x` header first when needed, then the ustar block.
 * `tarPath` is the path as it goes into the archive (directories end in `/`).
 */
export function encodeHeader(h: TarHeader): Buffer {
  const pax: Buffer[] = [];
  let name = h.path;
  let prefix = '';
  const split = isAscii(h.path) ? splitUstar(h.path) : undefined;
  if (split) [prefix, name] = split;
  else {
    pax.push(paxRecord('path', Buffer.from(h.path, 'utf8')));
    name = h.path.replace(/[^\x20-\x7e]/g, '_').slice(-100);
  }
  let linkname = h.linkname;
  if (linkname.length > 100 || !isAscii(linkname)) {
    pax.push(paxRecord('linkpath', Buffer.from(linkname, 'utf8')));
    linkname = linkname.replace(/[^\x20-\x7e]/g, '_').slice(0, 100);
  }
  let uid = h.uid;
  if (uid > MAX_OCTAL_8) {
    pax.push(paxRecord('uid', Buffer.from(String(uid))));
    uid = 0;
  }
  let gid = h.gid;
  if (gid > MAX_OCTAL_8) {
    pax.push(paxRecord('gid', Buffer.from(String(gid))));
    gid = 0;
  }
  let size = h.size;
  if (size > MAX_OCTAL_12) {
    pax.push(paxRecord('size', Buffer.from(String(size))));
    size = 0;
  }
  let mtime = h.mtime;
  if (!Number.isInteger(mtime) || mtime < 0 || mtime > MAX_OCTAL_12) {
    pax.push(paxRecord('mtime', Buffer.from(formatPaxTime(mtime))));
    mtime = Math.min(Math.max(Math.floor(mtime), 0), MAX_OCTAL_12);
  }
  if (h.xattrs) {
    for (const key of Object.keys(h.xattrs).sort()) {
      pax.push(paxRecord(`SCHILY.xattr.${key}`, Buffer.from(h.xattrs[key] as Uint8Array)));
    }
  }
  const main = Buffer.alloc(BLOCK);
  fillUstar(main, name, prefix, h.mode, uid, gid, size, mtime, TYPE_FLAG[h.type], linkname, h.uname, h.gname, h.devmajor, h.devminor);
  if (pax.length === 0) return main;
  // Records sorted by key so the same fields always give the same bytes.
  pax.sort((a, b) => Buffer.compare(recordKey(a), recordKey(b)));
  const body = Buffer.concat(pax);
  const padded = Math.ceil(body.length / BLOCK) * BLOCK;
  const out = Buffer.alloc(BLOCK + padded + BLOCK);
  const baseName = h.path.slice(h.path.replace(/\/$/, '').lastIndexOf('/') + 1).replace(/[^\x20-\x7e]/g, '_');
  fillUstar(out, `PaxHeaders.0/${baseName}`.slice(0, 100), '', 0o644, 0, 0, body.length, mtime, 0x78, '', '', '', 0, 0);
  body.copy(out, BLOCK);
  main.copy(out, BLOCK + padded);
  return out;
}

function recordKey(record: Buffer): Buffer {
  const space = record.indexOf(0x20);
  return record.subarray(space + 1, record.indexOf(0x3d, space));
}

function fillUstar(
  block: Buffer,
  name: string,
  prefix: string,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  mtime: number,
  typeflag: number,
  linkname: string,
  uname: string,
  gname: string,
  devmajor: number,
  devminor: number,
): void {
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, mode & 0o7777);
  writeNumber(block, 108, 8, uid);
  writeNumber(block, 116, 8, gid);
  writeNumber(block, 124, 12, size);
  writeNumber(block, 136, 12, mtime);
  block[156] = typeflag;
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 8, 'latin1');
  block.write(uname, 265, 32, 'utf8');
  block.write(gname, 297, 32, 'utf8');
  writeNumber(block, 329, 8, devmajor);
  writeNumber(block, 337, 8, devminor);
  block.write(prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i] as number;
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** A raw header block, before pax / GNU long-name records are applied. */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

function readString(block: Buffer, offset: number, length: number): string {
  const end = block.indexOf(0, offset);
  return block.toString('utf8', offset, end < 0 || end > offset + length ? offset + length : end);
}

function readNumber(block: Buffer, offset: number, length: number, field: string): number {
  const first = block[offset] as number;
  if (first & 0x80) {
    if (first === 0xff) throw new TarFormatError(`negative base-256 ${field} in a tar header`);
    let v = BigInt(first & 0x7f);
    for (let i = offset + 1; i < offset + length; i++) v = (v << 8n) | BigInt(block[i] as number);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new TarFormatError(`${field} too large in a tar header`);
    return Number(v);
  }
  let text = block.toString('latin1', offset, offset + length);
  const nul = text.indexOf('\0');
  if (nul >= 0) text = text.slice(0, nul);
  text = text.trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`invalid octal ${field} "${text}" in a tar header`);
  return parseInt(text, 8);
}

/** True when a block is all zeros (end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Decodes one ustar / GNU / v7 header block, verifying its checksum. */
export function decodeHeader(block: Buffer): RawHeader {
  const stored = readNumber(block, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) {
    throw new TarFormatError('tar header checksum mismatch: this is not a tar archive, or it is corrupt');
  }
  const magic = block.toString('latin1', 257, 263);
  let name = readString(block, 0, 100);
  if (magic === 'ustar\0') {
    const prefix = readString(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: readNumber(block, 100, 8, 'mode'),
    uid: readNumber(block, 108, 8, 'uid'),
    gid: readNumber(block, 116, 8, 'gid'),
    size: readNumber(block, 124, 12, 'size'),
    mtime: readNumber(block, 136, 12, 'mtime'),
    typeflag: String.fromCharCode(block[156] as number),
    linkname: readString(block, 157, 100),
    uname: readString(block, 265, 32),
    gname: readString(block, 297, 32),
    devmajor: readNumber(block, 329, 8, 'devmajor'),
    devminor: readNumber(block, 337, 8, 'devminor'),
  };
}

/** Parses pax extended header records into key -> raw value bytes. */
export function parsePax(body: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === 0) break;
    const space = body.indexOf(0x20, pos);
    if (space < 0) throw new TarFormatError('malformed pax record (no length)');
    const len = Number(body.toString('latin1', pos, space));
    if (!Number.isInteger(len) || len <= space - pos + 1 || pos + len > body.length) {
      throw new TarFormatError('malformed pax record (bad length)');
    }
    const record = body.subarray(space + 1, pos + len);
    const eq = record.indexOf(0x3d);
    if (eq < 0 || record[record.length - 1] !== 0x0a) throw new TarFormatError('malformed pax record');
    out.set(record.toString('utf8', 0, eq), record.subarray(eq + 1, record.length - 1));
    pos += len;
  }
  return out;
}

/** Parses a pax decimal time ("1700000000.25"). */
export function parsePaxTime(text: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new TarFormatError(`invalid pax time "${text}"`);
  return Number(text);
}

/** The entry type of a typeflag, or undefined for meta entries. */
export function typeOfFlag(flag: string, name: string): EntryType | undefined {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      return name.endsWith('/') ? 'dir' : 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      return undefined;
  }
}
