import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildContext } from '../../../src/build/context.js';
import { EMPTY_ROOTFS, planCopy, planInMemoryFiles, resolveDestination, destinationIsDirectory, type RootfsQuery } from '../../../src/build/copy.js';
import { tempDir } from '../../helpers/tmp.js';

/** An image file system given as a path -> type map. */
function rootfs(paths: Record<string, 'dir' | 'file' | 'symlink'>, dirs: Record<string, number> = {}): RootfsQuery {
  return {
    typeOf: async (p) => (p === '/' ? 'dir' : paths[p]),
    dirInfo: async (p) => (paths[p] === 'dir' ? { mode: dirs[p] ?? 0o755, uid: 0, gid: 0, mtime: 5 } : undefined),
    resolveParents: async (p) => p,
  };
}

test('resolveDestination: relative to WORKDIR, trailing slash noted', () => {
  assert.deepEqual(resolveDestination('x', '/w'), { path: '/w/x', slash: false });
  assert.deepEqual(resolveDestination('x/', '/w'), { path: '/w/x', slash: true });
  assert.deepEqual(resolveDestination('.', '/w'), { path: '/w', slash: true });
  assert.deepEqual(resolveDestination('/abs', '/w'), { path: '/abs', slash: false });
});

test('destination is a directory with a slash, several sources, or an existing directory', async () => {
  assert.equal(await destinationIsDirectory('/d', '/', 1, EMPTY_ROOTFS), false);
  assert.equal(await destinationIsDirectory('/d/', '/', 1, EMPTY_ROOTFS), true);
  assert.equal(await destinationIsDirectory('/d', '/', 2, EMPTY_ROOTFS), true);
  assert.equal(await destinationIsDirectory('/d', '/', 1, rootfs({ '/d': 'dir' })), true);
});

test('planCopy: files into an existing directory keep its metadata (e.g. /tmp 1777); chown and chmod apply', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'f'), 'f', { mode: 0o640 });
  const ctx = new BuildContext(dir);
  const entries = await planCopy([{ pattern: 'f', entry: ctx.resolve('f')[0]! }], {
    dest: '/tmp/sub/',
    workdir: '/',
    uid: 7,
    gid: 8,
    now: 100,
    epoch: 50,
    rootfs: rootfs({ '/tmp': 'dir' }, { '/tmp': 0o1777 }),
  });
  const byPath = Object.fromEntries(entries.map((e) => [e.path, e]));
  assert.equal(byPath['tmp']?.mode, 0o1777, 'the existing parent is repeated with its own mode');
  assert.equal(byPath['tmp/sub']?.uid, 7, 'a created parent is owned like the files');
  assert.equal(byPath['tmp/sub/f']?.mode, 0o640);
  assert.equal(byPath['tmp/sub/f']?.mtime, 50);
  assert.equal(byPath['tmp/sub/f']?.gid, 8);
});

test('planCopy refuses to copy through a file', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'f'), 'f');
  const ctx = new BuildContext(dir);
  await assert.rejects(
    planCopy([{ pattern: 'f', entry: ctx.resolve('f')[0]! }], { dest: '/file/x', workdir: '/', now: 1, rootfs: rootfs({ '/file': 'file' }) }),
    /not a directory/,
  );
});

test('planCopy of a directory copies its contents; an existing destination directory keeps its metadata', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'd/e'), { recursive: true });
  await writeFile(join(dir, 'd/e/x'), 'x');
  const ctx = new BuildContext(dir);
  const entry = ctx.resolve('d')[0]!;
  const entries = await planCopy([{ pattern: 'd', entry, contents: ctx.walk(entry) }], { dest: '/opt', workdir: '/', now: 1, rootfs: rootfs({ '/opt': 'dir' }) });
  assert.deepEqual(entries.map((e) => e.path).sort(), ['opt', 'opt/e', 'opt/e/x']);
  assert.equal(entries.find((e) => e.path === 'opt')?.mtime, 5, 'the image\'s own metadata, not the source directory\'s');
});

test('planInMemoryFiles: relative names resolve against WORKDIR; parents are created', async () => {
  const entries = await planInMemoryFiles({ 'a.txt': 'A', '/etc/x': new Uint8Array([1, 2]) }, { workdir: '/w', now: 10, rootfs: EMPTY_ROOTFS, mode: 0o600 });
  const byPath = Object.fromEntries(entries.map((e) => [e.path, e]));
  assert.equal(byPath['w/a.txt']?.size, 1);
  assert.equal(byPath['w/a.txt']?.mode, 0o600);
  assert.equal(byPath['etc/x']?.size, 2);
  assert.equal(byPath['w']?.type, 'dir');
  assert.equal(byPath['etc']?.mtime, 10);
});
