/**
 * Diffing tar streams without touching disk: each side is one tar or a stack of layers (lowest
 * first, whiteouts and opaque markers applied in memory as image-spec layer.md describes), indexed
 * by path with its metadata and a content hash; the result lists added, modified and deleted paths
 * (deletions only at subtree roots, as whiteouts would be).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { comparePaths, OPAQUE_MARKER, WHITEOUT_PREFIX, type EntryType } from './entry.js';
import { decompressStream } from './compress.js';
import { cleanMemberPath, type ExtractLimits } from './extract.js';
import { readTar } from './tar-reader.js';

/** One difference between two trees. */
export interface TarChange {
  path: string;
  kind: 'added' | 'modified' | 'deleted';
  type: EntryType;
}

interface Indexed {
  type: EntryType;
  key: string;
}

type TarSide = AsyncIterable<Uint8Array> | readonly AsyncIterable<Uint8Array>[];

function removeSubtree(index: Map<string, Indexed>, path: string, keepSelf: boolean): void {
  if (!keepSelf) index.delete(path);
  const prefix = path === '' ? '' : `${path}/`;
  for (const key of index.keys()) if (key.startsWith(prefix) && key !== path) index.delete(key);
}

async function indexSide(side: TarSide, limits: ExtractLimits): Promise<Map<string, Indexed>> {
  const layers = Array.isArray(side) ? (side as readonly AsyncIterable<Uint8Array>[]) : [side as AsyncIterable<Uint8Array>];
  const index = new Map<string, Indexed>();
  for (const layer of layers) {
    const thisLayer = new Map<string, Indexed>();
    const opaque: string[] = [];
    const whiteouts: string[] = [];
    for await (const e of readTar(decompressStream(layer, limits), limits)) {
      const path = cleanMemberPath(e.rawPath);
      if (path === '') continue;
      const slash = path.lastIndexOf('/');
      const parent = slash < 0 ? '' : path.slice(0, slash);
      const base = path.slice(slash + 1);
      if (base === OPAQUE_MARKER) {
        opaque.push(parent);
        continue;
      }
      if (base.startsWith(WHITEOUT_PREFIX)) {
        const name = base.slice(WHITEOUT_PREFIX.length);
        whiteouts.push(parent === '' ? name : `${parent}/${name}`);
        continue;
      }
      const hash = createHash('sha256');
      for await (const piece of e.body()) hash.update(piece);
      const x = e.xattrs ? Object.keys(e.xattrs).sort().map((k) => `${k}=${Buffer.from(e.xattrs?.[k] ?? []).toString('hex')}`).join(',') : '';
      const mtime = e.type === 'dir' ? '' : String(e.mtime);
      thisLayer.set(path, { type: e.type, key: [e.type, e.mode, e.uid, e.gid, e.linkname, e.devmajor, e.devminor, mtime, x, hash.digest('hex')].join('\0') });
    }
    // Whiteouts and opaque markers hide what the lower layers had, then this layer's members land.
    for (const dir of opaque) removeSubtree(index, dir, true);
    for (const path of whiteouts) removeSubtree(index, path, false);
    for (const [path, value] of thisLayer) {
      const before = index.get(path);
      if (before && before.type === 'dir' && value.type !== 'dir') removeSubtree(index, path, true);
      index.set(path, value);
    }
  }
  return index;
}

/** The changes from `lower` to `upper`, each a tar stream or a stack of layer streams. */
export async function diffTars(lower: TarSide, upper: TarSide, options: { limits?: ExtractLimits } = {}): Promise<TarChange[]> {
  const limits = options.limits ?? {};
  const a = await indexSide(lower, limits);
  const b = await indexSide(upper, limits);
  const changes: TarChange[] = [];
  for (const [path, now] of b) {
    const old = a.get(path);
    if (!old) changes.push({ path, kind: 'added', type: now.type });
    else if (old.key !== now.key) changes.push({ path, kind: 'modified', type: now.type });
  }
  for (const [path, old] of a) {
    if (b.has(path)) continue;
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    // Only subtree roots: a deleted child of a deleted (or no longer directory) parent is implied.
    if (parent !== '' && (!b.has(parent) || b.get(parent)?.type !== 'dir')) continue;
    changes.push({ path, kind: 'deleted', type: old.type });
  }
  return changes.sort((x, y) => comparePaths(x.path, y.path));
}
