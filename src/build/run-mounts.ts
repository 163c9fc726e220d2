/**
 * `RUN --mount` sources (Dockerfile reference, "RUN --mount"): what a context bind mount shows and
 * how it keys the step's cache entry, and where cache mounts live on the host.
 *
 * A context bind mount never exposes the raw context directory: as with BuildKit, files that
 * `.dockerignore` excludes do not exist in it. The mount is a filtered view built in a private
 * temporary directory from the same walk COPY uses (hardlinks for a read-only mount, copies for
 * `rw` so writes never reach the context, and when hardlinking fails across devices). Its cache key
 * is the source path plus the content hash COPY inputs use, so a changed file re-runs the step.
 *
 * Cache mounts live in the store's private folder (`<layout>/.oci-kit/cache-mounts/<hash>`), or
 * in a 0700 folder under the user's cache directory for a store that is not a layout; never in a
 * shared, guessable /tmp path where another user could plant a symlink.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, chown, copyFile, link, lstat, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { ImageStore } from '../store/blob-store.js';
import type { BuildCache } from './cache.js';
import type { BuildContext } from './context.js';
import type { CopySource } from './copy.js';
import { BuildError } from './errors.js';
import { collectSources, contentHash, knownContentHash } from './steps.js';

/** A context bind mount's source, resolved and hashed but not yet materialised. */
export interface BindSource {
  /** The source path relative to the context (`.` for the whole context). */
  rel: string;
  /** Content hash of everything the mount shows (same hashing as COPY inputs). */
  hash: string;
  /** The walked source; listed lazily, since a cache hit never needs it. */
  sources(): CopySource[];
}

/**
 * Resolves a bind mount's `source` in the context (ignored files excluded) and hashes its content.
 * As for COPY, an unchanged source is answered from its stat signatures without keeping the walk.
 */
export async function resolveBindSource(context: BuildContext, source: string, cache: BuildCache): Promise<BindSource> {
  const rel = context.resolve(source)[0]!.rel;
  let listed: CopySource[] | undefined;
  const sources = (): CopySource[] => (listed ??= collectSources(context, [source], {}));
  const hash = (await knownContentHash(context, [source], {}, cache)) ?? (await contentHash(sources(), cache));
  return { rel, hash, sources };
}

/**
 * Builds the filtered view of a bind source under `tmpRoot`: returns the path to mount and the
 * directory to remove afterwards. Read-only views use hardlinks; writable ones copy, so a RUN that
 * writes to the mount cannot change the context.
 */
export async function materializeBindSource(bind: BindSource, tmpRoot: string, writable: boolean): Promise<{ path: string; cleanup: string }> {
  const holder = await mkdtemp(join(tmpRoot, 'oci-kit-bind-'));
  const source = bind.sources()[0]!;
  const viewRoot = join(holder, 'view');
  const place = async (abs: string, dest: string): Promise<void> => {
    if (!writable) {
      try {
        await link(abs, dest);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      }
    }
    await copyFile(abs, dest, fsConstants.COPYFILE_FICLONE);
  };
  try {
    if (source.entry.type !== 'directory') {
      if (source.entry.type === 'symlink') await symlink(source.entry.linkname ?? '', viewRoot);
      else await place(source.entry.abs, viewRoot);
      return { path: viewRoot, cleanup: holder };
    }
    const dirModes: Array<[string, number]> = [];
    for (const item of source.contents ?? []) {
      const dest = item.sub === '' ? viewRoot : join(viewRoot, ...item.sub.split('/'));
      if (item.type === 'directory') {
        // Owner-writable while filling; the real modes are applied deepest-first afterwards.
        await mkdir(dest, { mode: 0o700 });
        dirModes.push([dest, item.stats.mode & 0o7777]);
      } else if (item.type === 'symlink') await symlink(item.linkname ?? '', dest);
      else await place(item.abs, dest);
    }
    for (const [dir, mode] of dirModes.reverse()) await chmod(dir, mode);
    return { path: viewRoot, cleanup: holder };
  } catch (err) {
    await removeView(holder);
    throw err;
  }
}

/** Removes a view made by {@link materializeBindSource} (its directories may be read-only). */
export async function removeView(dir: string): Promise<void> {
  await chmodTree(dir).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await chmodTree(join(dir, entry.name));
  }
}

/** Options of a cache mount (`--mount=type=cache,...`), as written. */
export interface CacheMountOptions {
  id: string;
  uid?: string | undefined;
  gid?: string | undefined;
  mode?: string | undefined;
  sharing?: 'shared' | 'private' | 'locked' | undefined;
}

/** A cache mount's host directory, and what to do when the RUN is over. */
export interface CacheMountDir {
  path: string;
  /** Releases a `locked` cache and removes a `private` one. */
  release(): Promise<void>;
}

/** Where a store's cache mounts live: inside the layout's private folder, else in the user's cache directory. */
export function cacheMountRoot(store: ImageStore): string {
  const path = (store as { path?: unknown }).path;
  if (typeof path === 'string') return join(path, '.oci-kit', 'cache-mounts');
  const base = process.env.XDG_CACHE_HOME && posix.isAbsolute(process.env.XDG_CACHE_HOME) ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'oci-kit', 'cache-mounts');
}

const locks = new Map<string, Promise<void>>();

/**
 * The host directory of a cache mount under `root`, created 0700 up to `root` and, the first time,
 * with the mount's uid/gid/mode (BuildKit's defaults: 0, 0, 0755). Every directory on the way is
 * checked with lstat to be a real directory owned by this user: a planted symlink fails the build.
 * `sharing=locked` serialises the RUNs of this process that use the same cache; `private` gives
 * each RUN a fresh directory.
 */
export async function prepareCacheMount(root: string, options: CacheMountOptions): Promise<CacheMountDir> {
  const uid = parseId(options.uid, 'uid');
  const gid = parseId(options.gid, 'gid');
  const mode = options.mode === undefined ? 0o755 : parseMode(options.mode);
  await ensurePrivateDir(join(root, '..'));
  await ensurePrivateDir(root);
  const name = createHash('sha256').update(options.id).digest('hex').slice(0, 32);
  if (options.sharing === 'private') {
    const holder = await mkdtemp(join(root, `${name}-private-`));
    const dir = join(holder, 'c');
    await createCacheDir(dir, uid, gid, mode);
    return { path: dir, release: () => rm(holder, { recursive: true, force: true }) };
  }
  const dir = join(root, name);
  let release = async (): Promise<void> => undefined;
  if (options.sharing === 'locked') {
    const previous = locks.get(dir) ?? Promise.resolve();
    let unlock!: () => void;
    const current = new Promise<void>((resolve) => (unlock = resolve));
    const chained = previous.then(() => current);
    locks.set(dir, chained);
    await previous;
    release = async () => {
      unlock();
      if (locks.get(dir) === chained) locks.delete(dir);
    };
  }
  try {
    await createCacheDir(dir, uid, gid, mode);
  } catch (err) {
    await release();
    throw err;
  }
  return { path: dir, release };
}

async function createCacheDir(dir: string, uid: number, gid: number, mode: number): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // An existing cache keeps the owner its first RUN gave it (its 0700 parent is ours, checked
    // above), but it must be a real directory, never a symlink to follow.
    if (!(await lstat(dir)).isDirectory()) {
      throw new BuildError('ERR_UNSAFE_CACHE_MOUNT', `cache mount directory ${dir} is not a directory`, { hint: 'remove it (it may be a planted symlink)' });
    }
    return;
  }
  // A first-time cache gets the requested owner; an unprivileged builder cannot chown and keeps its own.
  if (process.getuid?.() === 0) await chown(dir, uid, gid);
  await chmod(dir, mode);
}

/** Creates `dir` (0700) when missing; either way it must be a real directory owned by this user. */
async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } else if (code !== 'EEXIST') throw err;
  }
  await assertOwnDirectory(dir);
}

async function assertOwnDirectory(dir: string): Promise<void> {
  const stats = await lstat(dir);
  const me = process.getuid?.();
  if (!stats.isDirectory() || (me !== undefined && stats.uid !== me)) {
    throw new BuildError('ERR_UNSAFE_CACHE_MOUNT', `cache mount directory ${dir} is not a directory owned by this user`, {
      hint: 'remove it (it may be a planted symlink) or use another --store',
    });
  }
}

function parseId(value: string | undefined, what: string): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d+$/.test(value)) {
    throw new BuildError('ERR_INVALID_MOUNT', `invalid cache mount ${what} "${value}"`, { hint: `give a numeric ${what}, e.g. ${what}=1000` });
  }
  return Number(value);
}

function parseMode(value: string): number {
  if (!/^[0-7]{1,4}$/.test(value)) {
    throw new BuildError('ERR_INVALID_MOUNT', `invalid cache mount mode "${value}"`, { hint: 'give octal permission bits, e.g. mode=0755' });
  }
  return Number.parseInt(value, 8);
}

/** The temporary root for bind views: the build's tmpRoot, else the system's. */
export function viewRoot(tmpRoot: string | undefined): string {
  return tmpRoot ?? tmpdir();
}
