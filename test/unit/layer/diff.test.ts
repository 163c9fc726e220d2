import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, renameSync, rmSync, symlinkSync, truncateSync, unlinkSync, utimesSync, writeFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MemoryStore } from '../../../src/store/memory.js';
import { createLayer } from '../../../src/layer/create.js';
import { createDiffLayer, diffTree, snapshotTree } from '../../../src/layer/diff.js';
import { extractLayers } from '../../../src/layer/extract.js';
import { readTar } from '../../../src/layer/tar-reader.js';
import { tempDir } from '../../helpers/tmp.js';
import { describeTree, isRoot, streamOf } from './fixtures.js';

const OLD = 1_500_000_000;

function baseTree(root: string): void {
  const files: Record<string, string> = {
    'keep/same.txt': 'same',
    'keep/modified.txt': 'before',
    'keep/chmod.txt': 'mode',
    'keep/deleted.txt': 'bye',
    'gone/a/b/c.txt': 'deep',
    'gone/x.txt': 'x',
    'replaced/old1': '1',
    'replaced/old2': '2',
    'refilled/old': 'o',
    'dir2file/child': 'c',
    'file2link': 'f',
    'file2dir': 'f',
  };
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), content);
  }
  setOld(root, Object.keys(files));
}

function setOld(root: string, paths: string[]): void {
  for (const p of paths) utimesSync(join(root, p), OLD, OLD);
}

function mutate(root: string): void {
  writeFileSync(join(root, 'keep/modified.txt'), 'after!');
  chmodSync(join(root, 'keep/chmod.txt'), 0o600);
  unlinkSync(join(root, 'keep/deleted.txt'));
  writeFileSync(join(root, 'keep/added.txt'), 'new');
  rmSync(join(root, 'gone'), { recursive: true });
  rmSync(join(root, 'replaced'), { recursive: true });
  // A new directory at the old name: a new inode even if the number were reused later.
  mkdirSync(join(root, 'replaced-tmp'));
  writeFileSync(join(root, 'replaced-tmp/new'), 'n');
  writeFileSync(join(root, 'replaced-tmp/old1'), 'not the lower one');
  renameSync(join(root, 'replaced-tmp'), join(root, 'replaced'));
  unlinkSync(join(root, 'refilled/old'));
  writeFileSync(join(root, 'refilled/fresh'), 'f');
  rmSync(join(root, 'dir2file'), { recursive: true });
  writeFileSync(join(root, 'dir2file'), 'now a file');
  unlinkSync(join(root, 'file2link'));
  symlinkSync('keep/same.txt', join(root, 'file2link'));
  unlinkSync(join(root, 'file2dir'));
  mkdirSync(join(root, 'file2dir'));
  writeFileSync(join(root, 'file2dir/inside'), 'i');
  linkSync(join(root, 'keep/added.txt'), join(root, 'keep/added-link.txt'));
  if (isRoot) chownSync(join(root, 'keep/same.txt'), 5, 6);
}


test('diffTree emits adds, changes, one whiteout per deleted subtree root, opaque dirs and type changes', async (t) => {
  const root = await tempDir(t);
  baseTree(root);
  const snap = snapshotTree(root);
  mutate(root);
  const entries = diffTree(snap, root);
  const listed = entries.map((e) => `${e.type}:${e.path}${e.type === 'hardlink' ? `->${e.linkname}` : ''}`);
  assert.deepEqual(listed, [
    'file:.wh.gone',
    'file:dir2file',
    'dir:file2dir',
    'file:file2dir/inside',
    'symlink:file2link',
    'dir:keep',
    'file:keep/.wh.deleted.txt',
    'file:keep/added-link.txt',
    'hardlink:keep/added.txt->keep/added-link.txt',
    'file:keep/chmod.txt',
    'file:keep/modified.txt',
    ...(isRoot ? ['file:keep/same.txt'] : []),
    'dir:refilled',
    'file:refilled/.wh..wh..opq',
    'file:refilled/fresh',
    'dir:replaced',
    'file:replaced/.wh..wh..opq',
    'file:replaced/new',
    'file:replaced/old1',
  ]);
});

test('a diff layer applied on the lower layer reproduces the changed tree exactly', async (t) => {
  const base = await tempDir(t);
  const root = join(base, 'work');
  mkdirSync(root);
  baseTree(root);
  const store = new MemoryStore();
  const lower = await createLayer({ dir: root }, { store });
  const snap = snapshotTree(root);
  mutate(root);
  const upper = await createDiffLayer(snap, root, { store });
  const out = join(base, 'out');
  await extractLayers(store, [lower.descriptor, upper.descriptor], out);
  const want = describeTree(root);
  const got = describeTree(out);
  assert.deepEqual([...got.keys()], [...want.keys()]);
  for (const [path, d] of want) {
    // Directory mtimes move when their children change on either side; everything else must match.
    if (d.type === 'dir') assert.deepEqual({ ...got.get(path), mtime: 0 }, { ...d, mtime: 0 }, path);
    else assert.deepEqual(got.get(path), d, path);
  }
  // Whiteouts come before their siblings in the tar.
  const names: string[] = [];
  for await (const e of readTar(streamOf(gunzipSync(await store.get(upper.descriptor.digest))))) names.push(e.path);
  assert.ok(names.indexOf('keep/.wh.deleted.txt') < names.indexOf('keep/added-link.txt'));
  assert.ok(names.indexOf('replaced/.wh..wh..opq') < names.indexOf('replaced/new'));
});

test('an unchanged tree gives an empty diff; a racily-clean file is caught by its content hash', async (t) => {
  const root = await tempDir(t);
  writeFileSync(join(root, 'racy'), 'aaaa');
  const now = Math.floor(Date.now() / 1000);
  utimesSync(join(root, 'racy'), now, now);
  writeFileSync(join(root, 'old'), 'bbbb');
  utimesSync(join(root, 'old'), OLD, OLD);
  const snap = snapshotTree(root);
  assert.deepEqual(diffTree(snap, root), []);
  assert.ok(snap.entries.get('racy')?.hash, 'a file modified this second is hashed');
  assert.equal(snap.entries.get('old')?.hash, undefined, 'an old file is not hashed');
  writeFileSync(join(root, 'racy'), 'cccc');
  utimesSync(join(root, 'racy'), now, now);
  assert.deepEqual(diffTree(snap, root).map((e) => e.path), ['racy']);
});

test('deleting everything gives one whiteout per top-level name', async (t) => {
  const root = await tempDir(t);
  mkdirSync(join(root, 'a/b/c'), { recursive: true });
  writeFileSync(join(root, 'a/b/c/f'), '');
  writeFileSync(join(root, 'top'), '');
  const snap = snapshotTree(root);
  rmSync(join(root, 'a'), { recursive: true });
  unlinkSync(join(root, 'top'));
  assert.deepEqual(diffTree(snap, root).map((e) => e.path), ['.wh.a', '.wh.top']);
});

test('racily-clean files are hashed in pieces: peak memory does not grow with the file size', async (t) => {
  const dir = await tempDir(t);
  const big = join(dir, 'big.bin');
  // A sparse 128 MiB file modified just now, so the snapshot must hash it.
  const size = 128 << 20;
  writeFileSync(big, 'head');
  truncateSync(big, size);
  const before = process.resourceUsage().maxRSS; // KiB, the process's peak so far
  const snap = snapshotTree(dir, { xattrs: false });
  const grownMiB = (process.resourceUsage().maxRSS - before) / 1024;
  const want = createHash('sha256').update('head');
  const zeros = Buffer.alloc(1 << 20);
  for (let left = size - 4; left > 0; left -= zeros.length) want.update(zeros.subarray(0, Math.min(left, zeros.length)));
  assert.equal(snap.entries.get('big.bin')?.hash, want.digest('hex'));
  assert.ok(grownMiB < 64, `peak RSS grew by ${grownMiB.toFixed(0)} MiB while hashing a ${size >> 20} MiB file`);
});
