// Shared helpers of the layer tests: a raw tar builder that bypasses every check of the writer (for
// hostile archives), a tree describer for round-trip comparisons, and the fixture tree.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chownSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, utimesSync, writeFileSync, chmodSync, lutimesSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCK, encodeHeader, type TarHeader } from '../../../src/layer/tar-format.js';
import { readTreeXattrs, writeXattrs, xattrHelperAvailable } from '../../../src/layer/xattr.js';
import type { EntryType } from '../../../src/layer/entry.js';

export interface RawMember {
  path: string;
  type?: EntryType;
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, Uint8Array>;
}

/** Builds a tar exactly as told (paths are not cleaned): the hostile-archive factory. */
export function rawTar(members: RawMember[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const content = m.content === undefined ? Buffer.alloc(0) : Buffer.from(m.content);
    const header: TarHeader = {
      path: m.path,
      type: m.type ?? 'file',
      mode: m.mode ?? 0o644,
      uid: m.uid ?? 0,
      gid: m.gid ?? 0,
      size: (m.type ?? 'file') === 'file' ? content.length : 0,
      mtime: m.mtime ?? 1_700_000_000,
      linkname: m.linkname ?? '',
      uname: '',
      gname: '',
      devmajor: m.devmajor ?? 0,
      devminor: m.devminor ?? 0,
      xattrs: m.xattrs,
    };
    parts.push(encodeHeader(header));
    if (header.size > 0) {
      parts.push(content, Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK));
    }
  }
  if (options.end !== false) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** An async iterable of one buffer (or several). */
export async function* streamOf(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

export interface Described {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  nlink: number;
  link?: string;
  sha?: string;
  rdev?: number;
  xattrs?: string;
}

/** Everything a round trip must preserve, per path (the root excluded). */
export function describeTree(root: string, options: { xattrs?: boolean } = {}): Map<string, Described> {
  const out = new Map<string, Described>();
  const xattrs = options.xattrs === false ? new Map() : readTreeXattrs(root);
  const visit = (rel: string): void => {
    for (const name of readdirSync(rel === '' ? root : join(root, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const abs = join(root, r);
      const st = lstatSync(abs);
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : 'other';
      const d: Described = { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: type === 'file' ? st.size : 0, mtime: Math.floor(st.mtimeMs / 1000), nlink: type === 'dir' ? 0 : st.nlink };
      if (type === 'symlink') d.link = readlinkSync(abs, 'utf8');
      if (type === 'file') d.sha = createHash('sha256').update(readFileSync(abs)).digest('hex');
      if (type === 'char' || type === 'block') d.rdev = st.rdev;
      const x = xattrs.get(r);
      if (x) d.xattrs = Object.keys(x).sort().map((k) => `${k}=${Buffer.from(x[k]).toString('hex')}`).join(',');
      out.set(r, d);
      if (type === 'dir') visit(r);
    }
  };
  visit('');
  return out;
}

/** True when `user.*` xattrs can be set on files below `dir` (the helper exists and the fs allows it). */
export function userXattrsSupported(dir: string): boolean {
  if (!xattrHelperAvailable()) return false;
  const probe = join(dir, '.xattr-probe');
  writeFileSync(probe, '');
  const failures = writeXattrs([{ path: probe, xattrs: { 'user.probe': Buffer.from('1') } }]);
  spawnSync('rm', ['-f', probe]);
  return failures.length === 0;
}

export const isRoot = process.getuid?.() === 0;

/** Whether mknod of a character device works here (root in most containers; not in some). */
export function canMknod(dir: string): boolean {
  if (!isRoot) return false;
  const probe = join(dir, '.mknod-probe');
  const r = spawnSync('mknod', [probe, 'c', '1', '3']);
  spawnSync('rm', ['-f', probe]);
  return r.status === 0;
}

/**
 * The round-trip fixture: every member type, special mode bits, owners (as root), hardlinks, a
 * 300-byte path, UTF-8 names, fixed mtimes, xattrs when supported, a multi-chunk file.
 */
export function makeFixtureTree(root: string, options: { xattrs: boolean; devices: boolean }): void {
  const d = (p: string, mode = 0o755): void => {
    mkdirSync(join(root, p), { recursive: true });
    chmodSync(join(root, p), mode);
  };
  const f = (p: string, content: string | Buffer, mode = 0o644): void => {
    writeFileSync(join(root, p), content);
    chmodSync(join(root, p), mode);
  };
  d('bin');
  f('bin/tool', '#!/bin/sh\necho hi\n', 0o4755);
  f('bin/sgid', 'g', 0o2711);
  d('tmp', 0o1777);
  d('etc', 0o750);
  f('etc/config', 'key=value\n', 0o600);
  f('etc/empty', '');
  f('big.bin', Buffer.alloc(3 * 1024 * 1024 + 123, 7));
  symlinkSync('../etc/config', join(root, 'bin/config-link'));
  symlinkSync('/absolute/target', join(root, 'dangling'));
  linkSync(join(root, 'etc/config'), join(root, 'bin/hardlinked'));
  linkSync(join(root, 'etc/config'), join(root, 'tmp/hardlinked2'));
  d('héllo wörld');
  f('héllo wörld/日本語.txt', 'utf-8 name\n');
  // A 300-byte path: components stay under NAME_MAX (255).
  const deep = `${'d'.repeat(120)}/${'e'.repeat(100)}`;
  d(deep);
  f(`${deep}/${'f'.repeat(78)}`, 'long path\n');
  // Node cannot make a fifo; coreutils' mkfifo can (absent only on a machine with nothing but node).
  if (spawnSync('mkfifo', [join(root, 'tmp/fifo')]).status === 0) chmodSync(join(root, 'tmp/fifo'), 0o640);
  if (options.devices) spawnSync('mknod', [join(root, 'null'), 'c', '1', '3']);
  if (isRoot) {
    chownSync(join(root, 'etc/config'), 1234, 5678);
    chownSync(join(root, 'tmp'), 42, 43);
    spawnSync('chown', ['-h', '7:8', join(root, 'bin/config-link')]);
    chmodSync(join(root, 'bin/tool'), 0o4755); // chown cleared nothing here, but keep it explicit
  }
  if (options.xattrs) {
    const failed = writeXattrs([
      { path: join(root, 'etc/empty'), xattrs: { 'user.origin': Buffer.from('fixture\0bin') } },
      { path: join(root, 'etc'), xattrs: { 'user.dir': Buffer.from('yes') } },
    ]);
    if (failed.length > 0) throw new Error(`fixture xattrs: ${JSON.stringify(failed)}`);
  }
  // Fixed mtimes, children first so the directories keep theirs.
  const all = describeTree(root, { xattrs: false });
  const paths = [...all.keys()].sort((a, b) => b.split('/').length - a.split('/').length);
  let t = 1_600_000_000;
  for (const p of paths) {
    t += 17;
    const abs = join(root, p);
    if (all.get(p)?.type === 'symlink') lutimesSync(abs, t, t);
    else utimesSync(abs, t, t);
  }
}

/** Deterministic, mildly compressible bytes. */
export function sample(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + (i >> 7)) & 0xff;
  return b;
}

/** Everything an async iterable yields, as one buffer. */
export async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

/** `data` cut into pieces of `size` bytes. */
export function chunks(data: Buffer, size: number): Buffer[] {
  return Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));
}
