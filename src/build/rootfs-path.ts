/**
 * Path resolution inside a materialised image rootfs, as if the rootfs were `/`: symlinks are
 * followed component by component and absolute link targets restart at the rootfs, and `..` never
 * climbs above it (the same guarantee as `filepath-securejoin`, which runc and umoci use). Needed
 * for COPY destinations that pass through image symlinks (`/lib -> usr/lib`) and for COPY --from
 * sources.
 *
 * @module
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

const MAX_LINKS = 255;

/**
 * Resolves `path` (absolute inside the image) to an absolute image path with every symlink resolved,
 * the last component included when `followLast`. Missing components are kept as they are.
 */
export function resolveInRoot(root: string, path: string, followLast = true): string {
  const pending = path.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part];
    if (pending.length === 0 && !followLast) {
      resolved.push(part);
      break;
    }
    let target: string | undefined;
    try {
      const st = lstatSync(join(root, ...candidate));
      if (st.isSymbolicLink()) target = readlinkSync(join(root, ...candidate));
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links resolving ${path}`);
    const parts = target.split('/').filter((p) => p !== '' && p !== '.');
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...parts);
  }
  return posix.join('/', ...resolved);
}

/** The host path of an image path, after {@link resolveInRoot}. */
export function hostPathInRoot(root: string, path: string, followLast = true): string {
  const inner = resolveInRoot(root, path, followLast);
  return inner === '/' ? root : join(root, ...inner.slice(1).split('/'));
}
