/**
 * Walks a directory into sorted {@link LayerEntry} values (parents before children, siblings in
 * byte order), detecting hardlinks by (device, inode) so each inode's bytes go into a layer once.
 * The walk uses synchronous fs calls on purpose: one promise per file made walking 6x slower than
 * `find` on this class of machine (shared/perf-notes.md).
 *
 * @module
 */
import { lstatSync, readdirSync, readlinkSync, type BigIntStats, type Stats } from 'node:fs';
import { join } from 'node:path';
import { compareSiblings, type EntryType, type LayerEntry } from './entry.js';
import { readXattrs } from './xattr.js';

/** Options of {@link walkDirectory}. */
export interface WalkOptions {
  /** Keep a member (and, for a directory, its subtree) only when this returns true. Paths are layer-relative. */
  include?: ((path: string) => boolean) | undefined;
  /** Read extended attributes (needs `getfattr` or `python3`; see xattr.ts). Default true. */
  xattrs?: boolean | undefined;
  /** Keep nanosecond mtimes (written as pax records); default false: whole seconds, like GNU tar. */
  subsecondMtime?: boolean | undefined;
}

/** A walked entry also remembers its inode, for the diff. */
export interface WalkedEntry extends LayerEntry {
  ino: number;
  dev: number;
  nlink: number;
}

/** The type of a file from its stat mode, or undefined for sockets (never put in layers). */
export function typeOfStats(st: Stats | BigIntStats): EntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return undefined;
}

/** The layer entry of one file on disk (no hardlink detection). */
export function entryOfFile(absPath: string, layerPath: string, st: Stats, subsecond: boolean): WalkedEntry | undefined {
  const type = typeOfStats(st);
  if (type === undefined) return undefined;
  let mtime = Math.floor(st.mtimeMs / 1000);
  if (subsecond) {
    const big = lstatSync(absPath, { bigint: true });
    mtime = Number(big.mtimeNs / 1_000_000_000n) + Number(big.mtimeNs % 1_000_000_000n) / 1e9;
  }
  const entry: WalkedEntry = {
    path: layerPath,
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    mtime,
    ino: st.ino,
    dev: st.dev,
    nlink: st.nlink,
  };
  if (type === 'file') {
    entry.size = st.size;
    entry.sourcePath = absPath;
  } else if (type === 'symlink') {
    entry.linkname = readlinkSync(absPath, 'utf8');
  } else if (type === 'char' || type === 'block') {
    // Linux dev_t encoding (glibc gnu_dev_major / gnu_dev_minor).
    entry.devmajor = ((st.rdev >> 8) & 0xfff) | (Math.floor(st.rdev / 2 ** 32) & ~0xfff);
    entry.devminor = (st.rdev & 0xff) | ((st.rdev >> 12) & ~0xff);
  }
  return entry;
}

/**
 * Every member below `root` (not `root` itself), in layer order, one at a time: memory holds only
 * the name lists of the directories being visited and the inodes seen with more than one link.
 * `sourcePath` is set for files; the second and later names of an inode are `hardlink` entries.
 */
export function* walkEntries(root: string, options: Omit<WalkOptions, 'xattrs'> = {}): Generator<WalkedEntry> {
  const subsecond = options.subsecondMtime === true;
  const firstName = new Map<string, string>();
  function* visit(absDir: string, relDir: string): Generator<WalkedEntry> {
    const names = readdirSync(absDir).sort(compareSiblings);
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      if (options.include && !options.include(rel)) continue;
      const abs = join(absDir, name);
      const entry = entryOfFile(abs, rel, lstatSync(abs), subsecond);
      if (!entry) continue;
      if (entry.type === 'file' && entry.nlink > 1) {
        const key = `${entry.dev}:${entry.ino}`;
        const first = firstName.get(key);
        if (first === undefined) firstName.set(key, rel);
        else {
          entry.type = 'hardlink';
          entry.linkname = first;
          entry.size = 0;
          delete entry.sourcePath;
        }
      }
      yield entry;
      if (entry.type === 'dir') yield* visit(abs, rel);
    }
  }
  yield* visit(root, '');
}

/** All of {@link walkEntries} as an array, with xattrs read when asked (default true). */
export function walkDirectory(root: string, options: WalkOptions = {}): WalkedEntry[] {
  const out = [...walkEntries(root, options)];
  if (options.xattrs !== false) {
    const found = readXattrs(root, out.map((e) => e.path));
    for (const entry of out) {
      const x = found.get(entry.path);
      if (x) entry.xattrs = x;
    }
  }
  return out;
}

/** Turns the second and later names of a multiply-linked regular file into hardlink entries. */
export function linkHardlinks(entries: WalkedEntry[]): void {
  const firstName = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type !== 'file' || entry.nlink < 2) continue;
    const key = `${entry.dev}:${entry.ino}`;
    const first = firstName.get(key);
    if (first === undefined) {
      firstName.set(key, entry.path);
      continue;
    }
    entry.type = 'hardlink';
    entry.linkname = first;
    entry.size = 0;
    delete entry.sourcePath;
  }
}
