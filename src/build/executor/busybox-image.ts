/**
 * A tiny base image for RUN tests and examples, made on the spot from the host's statically
 * linked busybox (Debian/Ubuntu package `busybox-static`, which installs /bin/busybox): one layer
 * with /bin/busybox, a symlink per applet (`busybox --list`), /etc/passwd and /etc/group with root
 * and nobody, and the usual empty top-level directories. No registry, no network, reproducible:
 * every mtime and the `created` time are `SOURCE_DATE_EPOCH` (default 0), so the same busybox
 * binary always gives the same digest.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { findExecutable } from './tools.js';
import { NotFoundError, OciKitError } from '../../errors.js';
import { createLayer, envSourceDateEpoch } from '../../layer/create.js';
import type { LayerEntry } from '../../layer/entry.js';
import { createConfig } from '../../image/config.js';
import { saveImage } from '../../image/save.js';
import type { LoadedImage } from '../../image/load.js';
import type { ImageStore } from '../../store/blob-store.js';
import { formatReference, parseReference } from '../../reference/reference.js';
import { DEFAULT_PATH } from './sandbox-setup.js';

/** Options of {@link createBusyboxImage}. */
export interface BusyboxImageOptions {
  /** The busybox binary (default: `/bin/busybox`, else `busybox` on PATH). It must be statically linked. */
  busybox?: string | undefined;
  /** Tag to set in the store (default `busybox:local`; `null` sets none). */
  tag?: string | null | undefined;
  /** Every mtime and the `created` time, in seconds (default `SOURCE_DATE_EPOCH`, else 0). */
  epoch?: number | undefined;
  /** Media type family (default `oci`). */
  family?: 'oci' | 'docker' | undefined;
}

/** The image's /etc/passwd. */
export const BUSYBOX_PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
/** The image's /etc/group. */
export const BUSYBOX_GROUP = 'root:x:0:\nnobody:x:65534:\n';

const DIRECTORIES: [string, number][] = [
  ['bin', 0o755],
  ['dev', 0o755],
  ['etc', 0o755],
  ['home', 0o755],
  ['proc', 0o555],
  ['root', 0o700],
  ['sys', 0o555],
  ['tmp', 0o1777],
  ['usr', 0o755],
  ['var', 0o755],
];

/** Where the host's busybox is, or a NotFoundError naming the package. */
export function findBusybox(path?: string): string {
  const candidate = path ?? (isFile('/bin/busybox') ? '/bin/busybox' : findExecutable('busybox'));
  if (!candidate || !isFile(candidate)) {
    throw new NotFoundError(`no busybox binary${path ? ` at ${path}` : ''}`, {
      code: 'ERR_BUSYBOX_NOT_FOUND',
      hint: 'install busybox-static (apt-get install busybox-static) or pass the path of a static busybox',
    });
  }
  if (!isStaticElf(candidate)) {
    throw new OciKitError('ERR_BUSYBOX_NOT_STATIC', `${candidate} is dynamically linked: it would not run in an image without the host's libraries`, {
      hint: 'install busybox-static (apt-get install busybox-static), which replaces it with a static build',
    });
  }
  return candidate;
}

/** The applet names the binary provides, sorted (without `busybox` itself). */
export function busyboxApplets(busybox: string): string[] {
  const out = execFileSync(busybox, ['--list'], { encoding: 'utf8' });
  const names = out
    .split('\n')
    .map((n) => n.trim())
    .filter((n) => /^[A-Za-z0-9_.[\]-]+$/.test(n) && n !== 'busybox' && n !== '.' && n !== '..');
  return [...new Set(names)].sort();
}

/** The layer's members (exported for tests). */
export function busyboxEntries(busybox: string, applets: string[], epoch: number): LayerEntry[] {
  const common = { uid: 0, gid: 0, mtime: epoch };
  const entries: LayerEntry[] = DIRECTORIES.map(([path, mode]) => ({ path, type: 'dir', mode, ...common }));
  entries.push({ path: 'bin/busybox', type: 'file', sourcePath: busybox, size: statSync(busybox).size, mode: 0o755, ...common });
  for (const applet of applets) entries.push({ path: `bin/${applet}`, type: 'symlink', linkname: 'busybox', ...common });
  entries.push({ path: 'etc/passwd', type: 'file', content: BUSYBOX_PASSWD, mode: 0o644, ...common });
  entries.push({ path: 'etc/group', type: 'file', content: BUSYBOX_GROUP, mode: 0o644, ...common });
  return entries;
}

/**
 * Writes the busybox base image into `store` and tags it (default `busybox:local`, stored as
 * `docker.io/library/busybox:local`). Config: `Cmd ["sh"]`, Docker's default PATH.
 */
export async function createBusyboxImage(store: ImageStore, options: BusyboxImageOptions = {}): Promise<LoadedImage> {
  const busybox = findBusybox(options.busybox);
  const epoch = options.epoch ?? envSourceDateEpoch() ?? 0;
  const family = options.family ?? 'oci';
  const layer = await createLayer({ entries: busyboxEntries(busybox, busyboxApplets(busybox), epoch) }, { store, family, xattrs: false });
  const created = new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
  const config = createConfig({
    created,
    config: { Env: [`PATH=${DEFAULT_PATH}`], Cmd: ['sh'] },
    diffIds: [layer.diffId],
    history: [{ created, created_by: `oci-kit: busybox base image from ${busybox} (Debian package busybox-static)` }],
  });
  const image = await saveImage(store, { config, layers: [layer.descriptor], family });
  if (options.tag !== null) {
    const name = formatReference(parseReference(options.tag ?? 'busybox:local'));
    await store.setTag(name, image.descriptor);
  }
  return image;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** True for an ELF executable without a PT_INTERP program header (no dynamic loader). */
export function isStaticElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    if (readSync(fd, head, 0, 64, 0) < 64 || head.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = head[4] === 2;
    const little = head[5] === 1;
    const u16 = (b: Buffer, o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(little ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32)) : u32(head, 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    const PT_INTERP = 3;
    for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === PT_INTERP) return false;
    return true;
  } finally {
    closeSync(fd);
  }
}
