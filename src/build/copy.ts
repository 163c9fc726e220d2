/**
 * Turns COPY/ADD sources into the entries of one layer, with BuildKit's destination rules
 * (Dockerfile reference, "COPY"):
 *
 * - a relative destination is relative to WORKDIR;
 * - the destination is a directory when it ends with `/`, when there are several sources, or when it
 *   already is a directory in the image; a file source then lands at `dest/<name>`, else at `dest`;
 * - a directory source copies its contents (not the directory itself) into the destination;
 * - `--parents` keeps each source's path (below an optional `/./` pivot) under the destination;
 * - new files and directories are owned by 0:0 unless `--chown`; `--chmod` replaces the permission
 *   bits of what is copied; missing parent directories are created (0755, owned like the files);
 * - file modification times are kept, or set to SOURCE_DATE_EPOCH when it is given, so that builds of
 *   the same content are byte-identical whatever the context's mtimes are.
 *
 * @module
 */
import { posix } from 'node:path';
import type { LayerEntry } from '../layer/entry.js';
import type { ContextEntry, WalkedEntry } from './context.js';
import { BuildError } from './errors.js';

/** What the copy planner needs to know about the image's file system. */
export interface RootfsQuery {
  /** The type of `path` (absolute, symlinks inside the image resolved) in the image, or undefined. */
  typeOf(path: string): Promise<'dir' | 'file' | 'symlink' | 'other' | undefined>;
  /** Metadata of an existing directory (absolute path, not following a final symlink). */
  dirInfo(path: string): Promise<{ mode: number; uid: number; gid: number; mtime: number } | undefined>;
  /** Resolves symlinks of the parent directories of `path` inside the image (an absolute path). */
  resolveParents(path: string): Promise<string>;
}

/** A rootfs with nothing in it (a scratch stage with no layers yet). */
export const EMPTY_ROOTFS: RootfsQuery = {
  typeOf: async (path) => (path === '/' ? 'dir' : undefined),
  dirInfo: async () => undefined,
  resolveParents: async (path) => path,
};

/** One source of a COPY: a context (or stage) entry and, for a directory, its walked contents. */
export interface CopySource {
  /** The source as written (for messages and `--parents`). */
  pattern: string;
  /** The entry the pattern resolved to. */
  entry: ContextEntry;
  /** Directory contents, including the root as `sub: ''` (absent for files). */
  contents?: WalkedEntry[];
  /** The path to keep under the destination with `--parents` ('' when not used). */
  parentsPath?: string;
}

/** COPY options after name resolution. */
export interface CopyPlanOptions {
  /** The destination as written, after variable expansion. */
  dest: string;
  workdir: string;
  uid?: number | undefined;
  gid?: number | undefined;
  /** `--chmod` permission bits. */
  chmod?: number | undefined;
  /** Fixed mtime (SOURCE_DATE_EPOCH), seconds. */
  epoch?: number | undefined;
  /** mtime for directories the copy creates when no epoch is given. */
  now: number;
  rootfs: RootfsQuery;
}

/** Absolute, cleaned destination (relative to WORKDIR), and whether it was written with a trailing slash. */
export function resolveDestination(dest: string, workdir: string): { path: string; slash: boolean } {
  const slash = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
  const path = posix.resolve('/', workdir || '/', dest);
  return { path, slash };
}

/** Whether `dest` must be treated as a directory. */
export async function destinationIsDirectory(dest: string, workdir: string, sourceCount: number, rootfs: RootfsQuery): Promise<boolean> {
  const { path, slash } = resolveDestination(dest, workdir);
  if (slash || sourceCount > 1) return true;
  return (await rootfs.typeOf(path)) === 'dir';
}

const layerPath = (abs: string): string => abs.replace(/^\/+/, '');

/** Plans the layer entries of a COPY. */
export async function planCopy(sources: CopySource[], options: CopyPlanOptions): Promise<LayerEntry[]> {
  const { path: destAbs } = resolveDestination(options.dest, options.workdir);
  const destIsDir = await destinationIsDirectory(options.dest, options.workdir, sources.length, options.rootfs);
  const dest = await options.rootfs.resolveParents(destAbs);
  const uid = options.uid ?? 0;
  const gid = options.gid ?? 0;
  const entries = new Map<string, LayerEntry>();
  const mtimeOf = (seconds: number): number => options.epoch ?? Math.floor(seconds);

  const add = (path: string, source: ContextEntry): void => {
    const perm = source.stats.mode & 0o7777;
    const base = {
      path: layerPath(path),
      uid,
      gid,
      mtime: mtimeOf(source.stats.mtimeMs / 1000),
    };
    if (source.type === 'directory') {
      entries.set(base.path, { ...base, type: 'dir', mode: options.chmod ?? perm });
    } else if (source.type === 'symlink') {
      entries.set(base.path, { ...base, type: 'symlink', mode: 0o777, linkname: source.linkname ?? '' });
    } else {
      entries.set(base.path, { ...base, type: 'file', mode: options.chmod ?? perm, sourcePath: source.abs, size: source.stats.size });
    }
  };

  for (const source of sources) {
    let target = dest;
    if (source.parentsPath) target = posix.join(dest, source.parentsPath);
    if (source.entry.type === 'directory') {
      for (const item of source.contents ?? [{ ...source.entry, sub: '' }]) {
        const path = item.sub === '' ? target : posix.join(target, item.sub);
        add(path, item);
      }
      if (!source.parentsPath && (await options.rootfs.typeOf(target)) === 'dir') {
        // The directory exists in the image: COPY does not change its metadata.
        entries.delete(layerPath(target));
      }
    } else {
      const path = source.parentsPath ? target : destIsDir ? posix.join(target, posix.basename(source.entry.rel)) : target;
      if (path === '/') throw new BuildError('ERR_COPY_DESTINATION', `cannot copy file "${source.pattern}" over the root directory`);
      add(path, source.entry);
    }
  }
  await addMissingParents(entries, options, uid, gid);
  return [...entries.values()];
}

/** Adds directory entries for every parent that neither the layer nor the image has. */
export async function addMissingParents(
  entries: Map<string, LayerEntry>,
  options: Pick<CopyPlanOptions, 'epoch' | 'now' | 'rootfs'>,
  uid: number,
  gid: number,
): Promise<void> {
  const seen = new Set<string>();
  const mtime = options.epoch ?? Math.floor(options.now);
  for (const path of [...entries.keys()]) {
    let parent = posix.dirname(`/${path}`);
    while (parent !== '/' && !seen.has(parent)) {
      seen.add(parent);
      const key = layerPath(parent);
      if (!entries.has(key)) {
        const type = await options.rootfs.typeOf(parent);
        if (type === undefined) entries.set(key, { path: key, type: 'dir', mode: 0o755, uid, gid, mtime });
        else if (type !== 'dir') throw new BuildError('ERR_COPY_DESTINATION', `cannot copy into "${parent}": it is not a directory in the image`);
        else {
          // A tar member's parent must be in the layer; repeat the image's own metadata so the
          // layer does not change it (think /tmp's 1777).
          const info = await options.rootfs.dirInfo(parent);
          if (info) entries.set(key, { path: key, type: 'dir', ...info });
        }
      }
      parent = posix.dirname(parent);
    }
  }
}

/** In-memory files (`ImageBuilder.addFiles`) as layer entries, with parents created as needed. */
export async function planInMemoryFiles(
  files: Record<string, string | Uint8Array>,
  options: Omit<CopyPlanOptions, 'dest'> & { mode?: number },
): Promise<LayerEntry[]> {
  const entries = new Map<string, LayerEntry>();
  const mtime = options.epoch ?? Math.floor(options.now);
  for (const [name, content] of Object.entries(files)) {
    const abs = await options.rootfs.resolveParents(posix.resolve('/', options.workdir || '/', name));
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    entries.set(layerPath(abs), {
      path: layerPath(abs),
      type: 'file',
      content: bytes,
      size: bytes.byteLength,
      mode: options.chmod ?? options.mode ?? 0o644,
      uid: options.uid ?? 0,
      gid: options.gid ?? 0,
      mtime,
    });
  }
  await addMissingParents(entries, options, options.uid ?? 0, options.gid ?? 0);
  return [...entries.values()];
}
