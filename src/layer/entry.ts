/**
 * The in-memory description of one layer member ({@link LayerEntry}), the canonical form of a path
 * inside a layer, and the one ordering every layer oci-kit writes uses: parents before children,
 * then, inside a directory, the opaque marker, then whiteouts, then the other children by byte order
 * (image-spec layer.md, "Whiteouts": whiteouts SHOULD appear before their siblings).
 *
 * @module
 */
import { InvalidEntryError } from './errors.js';

/** The kinds of member a layer can hold. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'char' | 'block';

/** Where a file's bytes come from. */
export type EntryContent = Uint8Array | string | (() => AsyncIterable<Uint8Array>);

/** One member of a layer. Paths are relative to the layer root, `/`-separated. */
export interface LayerEntry {
  path: string;
  type: EntryType;
  /** File bytes (files only). A function is called once, when the entry is written. */
  content?: EntryContent | undefined;
  /** A file on disk whose bytes are the content (read when the entry is written). */
  sourcePath?: string | undefined;
  /** Content size in bytes. Required with a content function or `sourcePath`; checked against them. */
  size?: number | undefined;
  /** Permission bits incl. setuid/setgid/sticky (07777). Default 0644 for files, 0755 for dirs, 0777 for symlinks. */
  mode?: number | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
  /** Modification time in seconds since the epoch; fractions are kept (pax `mtime`). */
  mtime?: number | undefined;
  /** Symlink target, or for a hardlink the layer path of the entry it links to. */
  linkname?: string | undefined;
  /** Extended attributes (`SCHILY.xattr.<name>` pax records), e.g. `security.capability`. */
  xattrs?: Record<string, Uint8Array> | undefined;
  devmajor?: number | undefined;
  devminor?: number | undefined;
}

/** Name of the opaque-directory marker (image-spec layer.md, "Opaque Whiteout"). */
export const OPAQUE_MARKER = '.wh..wh..opq';
/** Prefix of a whiteout file (image-spec layer.md, "Whiteouts"). */
export const WHITEOUT_PREFIX = '.wh.';

/**
 * Canonical layer path: no leading `/` or `./`, no empty or `.` components, no trailing slash.
 * Throws on `..` components and NUL bytes: a layer we write never climbs. The root is `''`.
 */
export function canonicalPath(path: string): string {
  if (path.includes('\0')) throw new InvalidEntryError(path, 'the path contains a NUL byte');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new InvalidEntryError(path, 'the path contains ".."');
    parts.push(part);
  }
  return parts.join('/');
}

/** The parent of a canonical path (`''` for top-level names). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The last component of a canonical path. */
export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Maps UTF-16 code units so that comparing them orders strings by code point (= UTF-8 byte order). */
function unitKey(c: number): number {
  if (c >= 0xe000) return c - 0x800;
  if (c >= 0xd800) return c + 0x2000;
  return c;
}

/** Compares two names in UTF-8 byte order. */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitKey(x) - unitKey(y);
  }
  return a.length - b.length;
}

function rank(name: string): number {
  if (name === OPAQUE_MARKER) return 0;
  if (name.startsWith(WHITEOUT_PREFIX)) return 1;
  return 2;
}

/** Orders two sibling names: opaque marker, whiteouts, then the rest, each by byte order. */
export function compareSiblings(a: string, b: string): number {
  return rank(a) - rank(b) || compareNames(a, b);
}

/** Orders canonical paths so that parents precede children and siblings follow `compareSiblings` (byte order of the names). */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  const pa = a.split('/');
  const pb = b.split('/');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x !== y) return compareSiblings(x, y);
  }
  return pa.length - pb.length;
}

/** Default permission bits for an entry type. */
export function defaultMode(type: EntryType): number {
  if (type === 'dir') return 0o755;
  if (type === 'symlink') return 0o777;
  return 0o644;
}
