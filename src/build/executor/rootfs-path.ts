/**
 * Resolving a path inside a rootfs the way the kernel would after chroot: symlinks (absolute ones
 * included) and `..` never lead outside the rootfs. Everything the executor reads or creates in an
 * image's tree on the host (/etc/passwd, the working directory, mount points) goes through here, so
 * a hostile image cannot make us read or write host files. The build uses it too, for COPY
 * destinations that pass through image symlinks (`/lib -> usr/lib`) and for COPY --from sources.
 *
 * @module
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxSetupError } from './errors.js';

const MAX_SYMLINKS = 40; // Linux's MAXSYMLINKS

/**
 * The host path of `path` (absolute inside the container) under `rootfs`, with every symlink
 * resolved within the rootfs. Components that do not exist are kept as they are, so the result can
 * name a file about to be created. With `followLast` false a final symlink is left as it is (lstat
 * semantics).
 */
export function resolveInRootfs(rootfs: string, path: string, followLast = true): string {
  return join(rootfs, ...resolveParts(rootfs, path, followLast));
}

/** Like {@link resolveInRootfs}, but returns the resolved path as the container sees it (`/a/b`). */
export function resolveContainerPath(rootfs: string, path: string, followLast = true): string {
  return `/${resolveParts(rootfs, path, followLast).join('/')}`;
}

function resolveParts(rootfs: string, path: string, followLast: boolean): string[] {
  const resolved: string[] = [];
  const pending = splitPath(path);
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '..') {
      resolved.pop();
      continue;
    }
    if (pending.length === 0 && !followLast) {
      resolved.push(name);
      break;
    }
    const candidate = join(rootfs, ...resolved, name);
    let target: string | undefined;
    try {
      if (lstatSync(candidate).isSymbolicLink()) target = readlinkSync(candidate);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    }
    if (target === undefined) {
      resolved.push(name);
      continue;
    }
    if (++hops > MAX_SYMLINKS) {
      throw new SandboxSetupError(`too many levels of symbolic links resolving "${path}" in the rootfs`);
    }
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...splitPath(target));
  }
  return resolved;
}

/** The components of a container path, without empty and `.` parts. */
export function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}
