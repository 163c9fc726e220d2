/**
 * Filesystem diffs: the "commit" of a container's changes as a layer. {@link snapshotTree} records
 * a tree; {@link diffTree} compares it with the tree as it is now and returns the changeset of
 * image-spec layer.md "Change Types": added and modified members, one `.wh.<name>` whiteout per
 * deleted subtree root (never for its children), and `.wh..wh..opq` with the directory when it was
 * replaced (new inode) or emptied and refilled; a type change (dir -> file, file -> symlink) is
 * simply the new member, since applying a non-directory replaces whatever was there. Parent
 * directories of every change are included with their current metadata, as Docker does.
 *
 * Change detection follows Docker's (pkg/archive/changes.go): type, mode, owner, device number,
 * symlink target, xattrs, and for non-directories size and nanosecond mtime. A file whose mtime is
 * too recent to be trusted at snapshot time ("racily clean", as git calls it) gets a content hash,
 * compared when size and mtime do not decide.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, constants as fsConstants, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { comparePaths, compareSiblings, OPAQUE_MARKER, WHITEOUT_PREFIX, type EntryType, type LayerEntry } from './entry.js';
import { storeTar, preparedEntries, type CreateLayerOptions, type LayerResult } from './create.js';
import { ChunkPool, writeTar, DEFAULT_CHUNK_SIZE } from './tar-writer.js';
import { entryOfFile, linkHardlinks, typeOfStats, type WalkedEntry } from './walk.js';
import { readTreeXattrs } from './xattr.js';

/** What a snapshot knows about one path. */
export interface SnapshotEntry {
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeNs: bigint;
  ino: bigint;
  dev: bigint;
  rdev: bigint;
  linkname?: string;
  /** Canonical text of the xattrs, when any. */
  xattrs?: string;
  /** sha256 of the content, only for files modified too recently for mtime to decide. */
  hash?: string;
  /** Sorted child names (directories). */
  children?: string[];
}

/** A recorded tree: layer-relative path -> entry (the root is `''`). */
export interface Snapshot {
  root: string;
  takenAtNs: bigint;
  entries: Map<string, SnapshotEntry>;
}

/** Options of {@link snapshotTree} and {@link diffTree}. */
export interface SnapshotOptions {
  /** Compare xattrs (default true; needs python3, see xattr.ts). */
  xattrs?: boolean | undefined;
}

/** Files modified this close to (or after) the snapshot get a content hash. */
const RACY_WINDOW_NS = 2_000_000_000n;

function xattrText(x: Record<string, Uint8Array> | undefined): string | undefined {
  if (!x) return undefined;
  const keys = Object.keys(x).sort();
  if (keys.length === 0) return undefined;
  return keys.map((k) => `${k}=${Buffer.from(x[k] as Uint8Array).toString('base64')}`).join('\n');
}

/** Read buffer of {@link hashFile}, shared: memory stays flat whatever the file size. */
let hashBuffer: Buffer | undefined;

/** sha256 of a regular file, read in 1 MiB pieces (no symlink followed at the last component). */
function hashFile(path: string): string {
  hashBuffer ??= Buffer.allocUnsafe(1 << 20);
  const hash = createHash('sha256');
  const fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  try {
    for (let n = readSync(fd, hashBuffer, 0, hashBuffer.length, null); n > 0; n = readSync(fd, hashBuffer, 0, hashBuffer.length, null)) {
      hash.update(hashBuffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function snapEntry(abs: string, st: BigIntStats): SnapshotEntry | undefined {
  const type = typeOfStats(st);
  if (!type) return undefined;
  const e: SnapshotEntry = {
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: Number(st.size),
    mtimeNs: st.mtimeNs,
    ino: st.ino,
    dev: st.dev,
    rdev: st.rdev,
  };
  if (type === 'symlink') e.linkname = readlinkSync(abs, 'utf8');
  return e;
}

/** Records every path below `dir` (sync walk; content hashes only for racily-clean files). */
export function snapshotTree(dir: string, options: SnapshotOptions = {}): Snapshot {
  const takenAtNs = BigInt(Date.now()) * 1_000_000n;
  const entries = new Map<string, SnapshotEntry>();
  const visit = (rel: string): void => {
    const abs = rel === '' ? dir : join(dir, rel);
    const st = lstatSync(abs, { bigint: true });
    const e = snapEntry(abs, st);
    if (!e) return;
    entries.set(rel, e);
    if (e.type === 'file' && st.mtimeNs >= takenAtNs - RACY_WINDOW_NS) e.hash = hashFile(abs);
    if (e.type === 'dir') {
      e.children = readdirSync(abs).sort(compareSiblings);
      for (const name of e.children) visit(rel === '' ? name : `${rel}/${name}`);
    }
  };
  visit('');
  if (options.xattrs !== false) {
    for (const [path, x] of readTreeXattrs(dir)) {
      const entry = entries.get(path);
      const text = xattrText(x);
      if (entry && text) entry.xattrs = text;
    }
  }
  return { root: dir, takenAtNs, entries };
}

function changed(old: SnapshotEntry, now: SnapshotEntry, abs: string): boolean {
  if (old.mode !== now.mode || old.uid !== now.uid || old.gid !== now.gid || old.xattrs !== now.xattrs) return true;
  switch (now.type) {
    case 'dir':
      return false; // a directory's own mtime moves with its children: not a change by itself
    case 'symlink':
      return old.linkname !== now.linkname || old.mtimeNs !== now.mtimeNs;
    case 'char':
    case 'block':
      return old.rdev !== now.rdev;
    case 'file':
      if (old.size !== now.size || old.mtimeNs !== now.mtimeNs) return true;
      return old.hash !== undefined && old.hash !== hashFile(abs);
    default:
      return old.mtimeNs !== now.mtimeNs;
  }
}

/**
 * The changes from `snapshot` to the tree at `dir` now, as sorted layer entries (whiteouts before
 * their siblings, parents before children, hardlinks among the changed files linked).
 */
export function diffTree(snapshot: Snapshot, dir: string, options: SnapshotOptions = {}): LayerEntry[] {
  const useXattrs = options.xattrs !== false;
  const nowXattrs = useXattrs ? readTreeXattrs(dir) : new Map<string, Record<string, Uint8Array>>();
  const out: WalkedEntry[] = [];
  const whiteouts: LayerEntry[] = [];
  const whiteout = (path: string): void => {
    whiteouts.push({ path, type: 'file', content: new Uint8Array(0), mode: 0o644 });
  };
  const isChanged = (old: SnapshotEntry, now: SnapshotEntry, abs: string, rel: string): boolean => {
    const text = xattrText(nowXattrs.get(rel));
    if (text !== undefined) now.xattrs = text;
    if (!useXattrs) {
      const { xattrs: _ignored, ...rest } = old;
      return changed(rest, now, abs);
    }
    return changed(old, now, abs);
  };
  // Returns true when anything at or below `rel` was emitted.
  const visitDir = (rel: string, abs: string, oldChildren: readonly string[] | undefined): boolean => {
    const names = readdirSync(abs).sort(compareSiblings);
    let emitted = false;
    if (oldChildren) {
      const present = new Set(names);
      for (const name of oldChildren) {
        if (!present.has(name)) {
          whiteout(rel === '' ? `${WHITEOUT_PREFIX}${name}` : `${rel}/${WHITEOUT_PREFIX}${name}`);
          emitted = true;
        }
      }
    }
    for (const name of names) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const childAbs = join(abs, name);
      const st = lstatSync(childAbs, { bigint: true });
      const now = snapEntry(childAbs, st);
      if (!now) continue;
      const old = oldChildren ? snapshot.entries.get(childRel) : undefined;
      const index = out.length;
      const emit = (): void => {
        const entry = entryOfFile(childAbs, childRel, lstatSync(childAbs), false);
        if (entry) {
          const x = nowXattrs.get(childRel);
          if (x) entry.xattrs = x;
          out.splice(index, 0, entry);
        }
        emitted = true;
      };
      if (!old || old.type !== now.type) {
        // Added, or a type change: the new member replaces whatever the lower layers had.
        if (now.type === 'dir') visitDir(childRel, childAbs, undefined);
        emit();
        continue;
      }
      if (now.type === 'dir') {
        const oldNames = old.children ?? [];
        const replaced = old.ino !== now.ino || old.dev !== now.dev;
        let emptied = false;
        if (!replaced && oldNames.length > 0) {
          const present = new Set(readdirSync(childAbs));
          emptied = oldNames.every((n) => !present.has(n));
        }
        if (replaced || emptied) {
          whiteout(`${childRel}/${OPAQUE_MARKER}`);
          visitDir(childRel, childAbs, undefined);
          emit();
          continue;
        }
        const below = visitDir(childRel, childAbs, oldNames);
        if (below || isChanged(old, now, childAbs, childRel)) emit();
        continue;
      }
      if (isChanged(old, now, childAbs, childRel)) emit();
    }
    return emitted;
  };
  visitDir('', dir, snapshot.entries.get('')?.children);
  const all = [...whiteouts, ...out].sort((a, b) => comparePaths(a.path, b.path));
  linkHardlinks(all.filter((e): e is WalkedEntry => 'ino' in e));
  return all;
}

/** Options of {@link createDiffLayer}. */
export type DiffLayerOptions = CreateLayerOptions & SnapshotOptions;

/** Writes the changes from `snapshot` to `dir` now as a layer blob. */
export async function createDiffLayer(snapshot: Snapshot, dir: string, options: DiffLayerOptions): Promise<LayerResult> {
  const entries = diffTree(snapshot, dir, options);
  const compression = options.compression ?? 'gzip';
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const pool = compression === 'none' ? undefined : new ChunkPool(chunkSize);
  const tar = writeTar(preparedEntries(entries, options, true), chunkSize, pool);
  return storeTar(tar, options.store, compression, { ...options, pool });
}
