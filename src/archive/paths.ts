/**
 * Paths inside image archives. Entry names and the paths that archive metadata (`manifest.json`
 * `Config`/`Layers`, symlink targets) names are normalised to clean relative POSIX paths, and any
 * that would leave the archive (absolute, `..` above the root) is refused, so nothing an archive says
 * can address anything outside it. Blobs live at `blobs/<alg>/<encoded>` (image-spec
 * image-layout.md, "Blobs").
 *
 * @module
 */
import { posix } from 'node:path';
import { isDigest, type Digest } from '../digest/digest.js';
import { pathEscape } from './errors.js';

/**
 * The clean relative form of an archive path (`./a//b/` -> `a/b`). Throws `ERR_ARCHIVE_PATH` for
 * absolute paths, `..` that climbs above the root, and NUL bytes. `base` is the directory a
 * relative path is taken from (for symlink targets).
 */
export function cleanArchivePath(path: string, where: string, base = ''): string {
  if (path.includes('\0') || path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) throw pathEscape(path, where);
  const joined = posix.normalize(posix.join(base || '.', path)).replace(/\/+$/, '');
  if (joined === '..' || joined.startsWith('../')) throw pathEscape(path, where);
  return joined === '.' || joined === '' ? '' : joined;
}

/** The path of a blob in an image layout: `blobs/sha256/<hex>`. */
export function blobPath(digest: Digest): string {
  const colon = digest.indexOf(':');
  return `blobs/${digest.slice(0, colon)}/${digest.slice(colon + 1)}`;
}

/** The digest a `blobs/<alg>/<encoded>` path stands for, or undefined for any other path. */
export function digestOfBlobPath(path: string): Digest | undefined {
  const match = /^blobs\/([a-z0-9]+(?:[+._-][a-z0-9]+)*)\/([a-zA-Z0-9=_-]+)$/.exec(path);
  if (!match) return undefined;
  const candidate = `${match[1]}:${match[2]}`;
  return isDigest(candidate) ? candidate : undefined;
}
