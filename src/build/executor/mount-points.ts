/**
 * Mount points the sandbox needs (/proc, /dev, /etc/hosts, /etc/resolv.conf, RUN --mount targets,
 * the working directory's parents are NOT among them) may be missing from an image. They are
 * created right before the run and removed right after it, and the mtime of the directory that
 * held them is put back, so they do not show up in the layer diff. Docker gets the same effect
 * from its "init layer", which is excluded from commits.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveContainerPath, splitPath } from './rootfs-path.js';
import { SandboxSetupError } from './errors.js';

/** A path to mount on, inside the container. */
export interface MountPointSpec {
  /** Absolute container path. */
  target: string;
  /** What has to be there for the mount: a directory, or a file for single-file binds. */
  kind: 'dir' | 'file';
}

/** A prepared mount point. */
export interface PreparedMountPoint {
  /** The container path with symlinks resolved inside the rootfs (where the sandbox must mount). */
  containerPath: string;
  /** The same location on the host. */
  hostPath: string;
}

interface Created {
  containerPath: string;
  hostPath: string;
  kind: 'dir' | 'file';
}

interface Touched {
  hostPath: string;
  mtimeNs: bigint;
  names: string[];
}

/** Mount points made for one run; call {@link MountPoints.cleanup} when the sandbox has exited. */
export class MountPoints {
  readonly #rootfs: string;
  readonly #created: Created[] = [];
  readonly #touched = new Map<string, Touched>();

  constructor(rootfs: string) {
    this.#rootfs = rootfs;
  }

  /** Makes sure `spec.target` exists, creating it (and missing parents) if needed. */
  prepare(spec: MountPointSpec): PreparedMountPoint {
    const containerPath = resolveContainerPath(this.#rootfs, spec.target);
    const parts = splitPath(containerPath);
    const hostPath = join(this.#rootfs, ...parts);
    let current = join(this.#rootfs);
    for (let i = 0; i < parts.length; i++) {
      const parent = current;
      current = join(current, parts[i]!);
      const last = i === parts.length - 1;
      const existing = lstatOrUndefined(current);
      if (existing) {
        if (!last && !existing.isDirectory()) {
          throw new SandboxSetupError(`cannot mount on ${spec.target}: /${parts.slice(0, i + 1).join('/')} is not a directory in the rootfs`);
        }
        if (last && spec.kind === 'dir' && !existing.isDirectory()) {
          throw new SandboxSetupError(`cannot mount a directory on ${spec.target}: it is not a directory in the rootfs`);
        }
        if (last && spec.kind === 'file' && existing.isDirectory()) {
          throw new SandboxSetupError(`cannot mount a file on ${spec.target}: it is a directory in the rootfs`);
        }
        continue;
      }
      this.#remember(parent);
      if (last && spec.kind === 'file') writeFileSync(current, '', { mode: 0o644, flag: 'wx' });
      else mkdirSync(current, { mode: 0o755 });
      this.#created.push({ containerPath: `/${parts.slice(0, i + 1).join('/')}`, hostPath: current, kind: last ? spec.kind : 'dir' });
    }
    return { containerPath, hostPath };
  }

  /**
   * Removes what {@link prepare} created, if the command left it as it was (an empty directory or
   * empty file), and restores the mtime of directories whose entries are back to what they were.
   */
  cleanup(): void {
    for (const { containerPath, hostPath, kind } of [...this.#created].reverse()) {
      // The command may have replaced a parent with a symlink; never follow it out of the rootfs.
      if (resolveContainerPath(this.#rootfs, containerPath) !== containerPath) continue;
      const stats = lstatOrUndefined(hostPath);
      if (!stats) continue;
      try {
        if (kind === 'dir' && stats.isDirectory()) rmdirSync(hostPath);
        else if (kind === 'file' && stats.isFile() && stats.size === 0) unlinkSync(hostPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    for (const touched of this.#touched.values()) {
      const now = statOrUndefined(touched.hostPath);
      if (!now?.isDirectory()) continue;
      const names = readdirSync(touched.hostPath).sort();
      if (names.length === touched.names.length && names.every((n, i) => n === touched.names[i])) {
        restoreMtime(touched.hostPath, touched.mtimeNs);
      }
    }
  }

  #remember(dir: string): void {
    if (this.#touched.has(dir) || this.#created.some((c) => c.hostPath === dir)) return;
    const stats = statSync(dir, { bigint: true });
    this.#touched.set(dir, { hostPath: dir, mtimeNs: stats.mtimeNs, names: readdirSync(dir).sort() });
  }
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Puts back a directory's mtime to the nanosecond: a diff that compares mtimes must see no change.
 * Node's utimes goes through a double, exact for whole seconds (what tar layers give) but not for
 * every nanosecond value; GNU touch takes the exact value when utimes could not.
 */
function restoreMtime(path: string, mtimeNs: bigint): void {
  const seconds = mtimeNs / 1_000_000_000n;
  const nanos = mtimeNs % 1_000_000_000n;
  utimesSync(path, statSync(path).atime, Number(seconds) + Number(nanos) / 1e9);
  if (statSync(path, { bigint: true }).mtimeNs === mtimeNs) return;
  try {
    execFileSync('touch', ['-c', '-m', '-d', `@${seconds}.${nanos.toString().padStart(9, '0')}`, '--', path], { stdio: 'ignore' });
  } catch {
    // no GNU touch: the microsecond approximation above is the best Node can do
  }
}
