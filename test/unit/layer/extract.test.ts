import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MemoryStore } from '../../../src/store/memory.js';
import { createLayer } from '../../../src/layer/create.js';
import { applyLayer, extractLayers, cleanMemberPath } from '../../../src/layer/extract.js';
import { readXattrs } from '../../../src/layer/xattr.js';
import { tempDir } from '../../helpers/tmp.js';
import { canMknod, describeTree, isRoot, makeFixtureTree, rawTar, streamOf, userXattrsSupported, type RawMember } from './fixtures.js';

test('directory -> layer -> extract gives the identical tree (types, modes, owners, mtimes, xattrs, hardlinks, long and UTF-8 names)', async (t) => {
  const base = await tempDir(t);
  const src = join(base, 'src');
  mkdirSync(src);
  const xattrs = userXattrsSupported(base);
  const devices = canMknod(base);
  makeFixtureTree(src, { xattrs, devices });
  const store = new MemoryStore();
  for (const compression of ['gzip', 'zstd', 'none'] as const) {
    const layer = await createLayer({ dir: src }, { store, compression });
    const out = join(base, `out-${compression}`);
    const result = await extractLayers(store, [layer.descriptor], out);
    assert.deepEqual(result.skipped, []);
    assert.deepEqual(result.xattrFailures, []);
    const want = describeTree(src);
    const got = describeTree(out);
    assert.deepEqual([...got.keys()], [...want.keys()]);
    for (const [path, d] of want) assert.deepEqual(got.get(path), d, `${compression}: ${path}`);
  }
  // What this machine let the fixture contain, so a reader of the log knows what was covered.
  const described = describeTree(src);
  assert.ok(described.has(`${'d'.repeat(120)}/${'e'.repeat(100)}/${'f'.repeat(78)}`));
  assert.equal(described.get('etc/config')?.nlink, 3);
  if (isRoot) assert.equal(described.get('etc/config')?.uid, 1234);
  if (xattrs) assert.match(described.get('etc/empty')?.xattrs ?? '', /user\.origin=/);
  t.diagnostic(`xattrs covered: ${xattrs}; device nodes covered: ${devices}; owners covered: ${isRoot}`);
});

test('owners are recorded, not applied, when sameOwner is false', async (t) => {
  const dir = await tempDir(t);
  const tar = rawTar([{ path: 'f', content: 'x', uid: 1000, gid: 1001 }, { path: 'g', content: 'y' }]);
  const result = await applyLayer(streamOf(tar), dir, { sameOwner: false });
  assert.deepEqual([...result.owners], [['f', { uid: 1000, gid: 1001 }]]);
  assert.equal(lstatSync(join(dir, 'f')).uid, process.getuid?.());
});

test('whiteouts remove lower paths, opaque markers hide lower children but keep this layer\'s', async (t) => {
  const dir = await tempDir(t);
  await applyLayer(
    streamOf(
      rawTar([
        { path: 'a/', type: 'dir', mode: 0o755 },
        { path: 'a/keep', content: '1' },
        { path: 'a/gone', content: '2' },
        { path: 'a/sub/', type: 'dir' },
        { path: 'a/sub/deep', content: '3' },
        { path: 'o/', type: 'dir' },
        { path: 'o/lower1', content: 'l' },
        { path: 'o/lowerdir/', type: 'dir' },
        { path: 'o/lowerdir/x', content: 'l' },
        { path: 'typechange/', type: 'dir' },
        { path: 'typechange/child', content: 'c' },
      ]),
    ),
    dir,
  );
  await applyLayer(
    streamOf(
      rawTar([
        { path: 'a/.wh.gone' },
        { path: 'a/.wh.sub' },
        { path: 'o/new-before-marker', content: 'n' },
        { path: 'o/.wh..wh..opq' },
        { path: 'o/lowerdir/', type: 'dir' },
        { path: 'o/lowerdir/y', content: 'n' },
        { path: 'typechange', content: 'now a file' },
        { path: 'a/.wh.never-existed' },
        { path: 'missing-parent/.wh.x' },
      ]),
    ),
    dir,
  );
  assert.deepEqual(readdirSync(join(dir, 'a')), ['keep']);
  assert.deepEqual(readdirSync(join(dir, 'o')).sort(), ['lowerdir', 'new-before-marker']);
  assert.deepEqual(readdirSync(join(dir, 'o/lowerdir')), ['y']);
  assert.equal(readFileSync(join(dir, 'typechange'), 'utf8'), 'now a file');
  assert.equal(existsSync(join(dir, 'missing-parent')), false);
  assert.equal(existsSync(join(dir, 'a/.wh.gone')), false);
});

test('an opaque marker after this layer\'s deeper entries keeps them and hides every lower path', async (t) => {
  const dir = await tempDir(t);
  await applyLayer(streamOf(rawTar([{ path: 'o/sub/lower', content: 'l' }, { path: 'o/other', content: 'l' }])), dir);
  await applyLayer(streamOf(rawTar([{ path: 'o/sub/deep/new', content: 'n' }, { path: 'o/.wh..wh..opq' }])), dir);
  assert.deepEqual(readdirSync(join(dir, 'o')), ['sub']);
  assert.deepEqual(readdirSync(join(dir, 'o/sub')), ['deep']);
  assert.equal(readFileSync(join(dir, 'o/sub/deep/new'), 'utf8'), 'n');
});

test('a directory entry keeps the lower children; a file replacing a symlink does not follow it', async (t) => {
  const base = await tempDir(t);
  const dir = join(base, 'root');
  const outside = join(base, 'outside');
  writeFileSync(outside, 'original');
  await applyLayer(streamOf(rawTar([{ path: 'd/', type: 'dir' }, { path: 'd/x', content: 'x' }, { path: 's', type: 'symlink', linkname: outside }])), dir);
  await applyLayer(streamOf(rawTar([{ path: 'd/', type: 'dir', mode: 0o700 }, { path: 's', content: 'replaced' }])), dir);
  assert.equal(readFileSync(join(dir, 'd/x'), 'utf8'), 'x');
  assert.equal(lstatSync(join(dir, 'd')).mode & 0o777, 0o700);
  assert.equal(readFileSync(join(dir, 's'), 'utf8'), 'replaced');
  assert.equal(readFileSync(outside, 'utf8'), 'original');
});

test('cleanMemberPath strips leading slashes and dots and refuses climbing', () => {
  assert.equal(cleanMemberPath('/etc/passwd'), 'etc/passwd');
  assert.equal(cleanMemberPath('./a//b/./c/'), 'a/b/c');
  assert.equal(cleanMemberPath('a/../b'), 'b');
  assert.throws(() => cleanMemberPath('../x'), { code: 'ERR_LAYER_UNSAFE_PATH' });
  assert.throws(() => cleanMemberPath('a/../../x'), { code: 'ERR_LAYER_UNSAFE_PATH' });
});

// ---------------------------------------------------------------------------------------------
// Hostile corpus: each archive is refused with a typed error naming the entry, or contained
// (nothing outside the target changes). `outside` is a sibling of the target holding a canary.

interface HostileCase {
  name: string;
  layers: (outside: string) => Buffer[];
  /** Expected error code, or undefined when the archive must be contained. */
  code?: string;
  /** Text the error message must contain (the entry name). */
  names?: string;
  options?: Parameters<typeof applyLayer>[2];
  /** Extra check inside the target when contained. */
  check?: (target: string, outside: string) => void;
}

const canary = 'canary';
const bomb = gzipSync(rawTar([{ path: 'zeros', content: Buffer.alloc(8 << 20) }]));

const hostile: HostileCase[] = [
  { name: 'dot-dot at the start', layers: () => [rawTar([{ path: '../escape', content: 'x' }])], code: 'ERR_LAYER_UNSAFE_PATH', names: '../escape' },
  { name: 'dot-dot in the middle', layers: () => [rawTar([{ path: 'a/../../escape', content: 'x' }])], code: 'ERR_LAYER_UNSAFE_PATH', names: 'a/../../escape' },
  {
    name: 'absolute path',
    layers: (o) => [rawTar([{ path: `${o}/abs-written`, content: 'x' }])],
    check: (t, o) => assert.equal(readFileSync(join(t, o, 'abs-written'), 'utf8'), 'x'),
  },
  {
    name: 'file through an absolute symlink of the same layer',
    layers: (o) => [rawTar([{ path: 'evil', type: 'symlink', linkname: o }, { path: 'evil/pwned', content: 'x' }])],
    check: (t, o) => assert.equal(readFileSync(join(t, o, 'pwned'), 'utf8'), 'x'),
  },
  {
    name: 'file through a climbing symlink',
    layers: () => [rawTar([{ path: 'up', type: 'symlink', linkname: '../../../../..' }, { path: 'up/pwned', content: 'x' }])],
    check: (t) => assert.equal(readFileSync(join(t, 'pwned'), 'utf8'), 'x'),
  },
  {
    name: 'file through a symlink placed by an earlier layer',
    layers: (o) => [rawTar([{ path: 'lnk', type: 'symlink', linkname: o }]), rawTar([{ path: 'lnk/pwned', content: 'x' }])],
    check: (t, o) => assert.equal(readFileSync(join(t, o, 'pwned'), 'utf8'), 'x'),
  },
  { name: 'hardlink climbing out', layers: () => [rawTar([{ path: 'h', type: 'hardlink', linkname: '../outside/canary' }])], code: 'ERR_LAYER_UNSAFE_PATH', names: '../outside/canary' },
  { name: 'hardlink to an absolute path outside', layers: (o) => [rawTar([{ path: 'h', type: 'hardlink', linkname: `${o}/canary` }])], code: 'ERR_LAYER_BAD_HARDLINK', names: '"h"' },
  {
    name: 'hardlink through a symlink to outside',
    layers: (o) => [rawTar([{ path: 'l', type: 'symlink', linkname: o }, { path: 'h', type: 'hardlink', linkname: 'l/canary' }])],
    code: 'ERR_LAYER_BAD_HARDLINK',
    names: '"h"',
  },
  {
    name: 'overwrite through a symlink at the final component',
    layers: (o) => [rawTar([{ path: 's', type: 'symlink', linkname: `${o}/canary` }, { path: 's', content: 'overwritten' }])],
    check: (t) => assert.equal(readFileSync(join(t, 's'), 'utf8'), 'overwritten'),
  },
  {
    name: 'directory over a symlink to outside',
    layers: (o) => [rawTar([{ path: 'd', type: 'symlink', linkname: o }, { path: 'd/', type: 'dir', mode: 0o777 }, { path: 'd/x', content: 'x' }])],
    check: (t) => assert.equal(lstatSync(join(t, 'd')).isDirectory(), true),
  },
  {
    name: 'whiteout through a symlink to outside',
    layers: (o) => [rawTar([{ path: 'w', type: 'symlink', linkname: o }]), rawTar([{ path: 'w/.wh.canary' }])],
  },
  {
    name: 'opaque marker through a symlink to outside',
    layers: (o) => [rawTar([{ path: 'w', type: 'symlink', linkname: o }]), rawTar([{ path: 'w/.wh..wh..opq' }])],
  },
  { name: 'whiteout naming dot-dot', layers: () => [rawTar([{ path: 'a/.wh...' }])], code: 'ERR_LAYER_UNSAFE_ENTRY', names: '.wh...' },
  { name: 'symlink loop in a parent', layers: () => [rawTar([{ path: 'a', type: 'symlink', linkname: 'b' }, { path: 'b', type: 'symlink', linkname: 'a' }, { path: 'a/x', content: 'x' }])], code: 'ERR_LAYER_SYMLINK_LOOP', names: 'a/x' },
  { name: 'device node when devices are refused', layers: () => [rawTar([{ path: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 }])], code: 'ERR_LAYER_DEVICE', names: 'dev/sda', options: { devices: 'error' } },
  {
    name: 'device node when not root (skipped and reported)',
    layers: () => [rawTar([{ path: 'kmem', type: 'char', devmajor: 1, devminor: 2 }])],
    options: { devices: 'skip' },
    check: (t) => assert.equal(existsSync(join(t, 'kmem')), false),
  },
  { name: 'too many entries', layers: () => [rawTar(Array.from({ length: 20 }, (_, i): RawMember => ({ path: `f${i}`, content: '' })))], code: 'ERR_LAYER_LIMIT', options: { limits: { maxEntries: 10 } } },
  { name: 'oversized pax header', layers: () => [rawTar([{ path: `${'x'.repeat(200)}/${'y'.repeat(200)}/${'z'.repeat(200)}`, content: '' }])], code: 'ERR_LAYER_LIMIT', options: { limits: { maxHeaderSize: 100 } } },
  { name: 'decompression bomb', layers: () => [bomb], code: 'ERR_LAYER_LIMIT', options: { limits: { maxRatio: 50, ratioGrace: 1 << 20 } } },
  {
    name: 'bad header checksum',
    layers: () => {
      const tar = rawTar([{ path: 'f', content: 'x' }]);
      tar[0] = 0x67;
      return [tar];
    },
    code: 'ERR_TAR_FORMAT',
  },
  { name: 'truncated archive', layers: () => [rawTar([{ path: 'f', content: Buffer.alloc(5000, 1) }]).subarray(0, 2048)], code: 'ERR_TAR_FORMAT' },
  { name: 'NUL byte in a pax path', layers: () => [rawTar([{ path: 'ok\0/../../escape', content: 'x' }])], code: 'ERR_LAYER_UNSAFE_PATH' },
  { name: 'hardlink to a directory', layers: () => [rawTar([{ path: 'd/', type: 'dir' }, { path: 'h', type: 'hardlink', linkname: 'd' }])], code: 'ERR_LAYER_BAD_HARDLINK', names: '"h"' },
  // Deferred directory metadata must not follow what later replaced the directory.
  {
    name: 'dir, then symlink at the same path to an outside file (same layer)',
    layers: (o) => [rawTar([{ path: 'd/', type: 'dir', mode: 0o777, mtime: 0 }, { path: 'd', type: 'symlink', linkname: `${o}/canary` }])],
    check: (t, o) => assert.equal(readlinkSync(join(t, 'd')), `${o}/canary`),
  },
  {
    name: 'dir, then symlink at the same path to an outside directory (same layer)',
    layers: (o) => [rawTar([{ path: 'd/', type: 'dir', mode: 0o777, mtime: 0 }, { path: 'd/child/', type: 'dir', mode: 0o777, mtime: 0 }, { path: 'd', type: 'symlink', linkname: o }])],
    check: (t, o) => assert.equal(readlinkSync(join(t, 'd')), o),
  },
  {
    name: 'dir, then symlink at the same path to an outside file (next layer)',
    layers: (o) => [rawTar([{ path: 'd/', type: 'dir', mode: 0o777, mtime: 0 }]), rawTar([{ path: 'd', type: 'symlink', linkname: `${o}/canary` }])],
    check: (t, o) => assert.equal(readlinkSync(join(t, 'd')), `${o}/canary`),
  },
  {
    name: 'dir, then symlink at the same path to an outside directory (next layer)',
    layers: (o) => [rawTar([{ path: 'd/', type: 'dir', mode: 0o777, mtime: 0 }]), rawTar([{ path: 'd', type: 'symlink', linkname: o }, { path: 'e/', type: 'dir', mode: 0o777, mtime: 0 }])],
    check: (t, o) => assert.equal(readlinkSync(join(t, 'd')), o),
  },
  {
    name: 'dir, then a file, then a symlink at the same path (same layer)',
    layers: (o) => [rawTar([{ path: 'd/', type: 'dir', mode: 0o777, mtime: 0 }, { path: 'd', content: 'f' }, { path: 'd/', type: 'dir', mode: 0o777, mtime: 0 }, { path: 'd', type: 'symlink', linkname: o }])],
    check: (t, o) => assert.equal(readlinkSync(join(t, 'd')), o),
  },
  // Deferred xattrs must not follow a parent that was swapped for a symlink.
  {
    name: 'xattrs of a file whose parent is then replaced by a symlink to outside',
    layers: (o) => [rawTar([{ path: 'a/', type: 'dir' }, { path: 'a/canary', content: 'inside', xattrs: { 'user.pwned': Buffer.from('1') } }, { path: 'a', type: 'symlink', linkname: o }])],
    check: (t, o) => assert.equal(readlinkSync(join(t, 'a')), o),
  },
  {
    name: 'xattrs of a directory replaced by a symlink to outside',
    layers: (o) => [rawTar([{ path: 'a/', type: 'dir', xattrs: { 'user.pwned': Buffer.from('1') } }, { path: 'a', type: 'symlink', linkname: o }])],
    check: (t, o) => assert.equal(readlinkSync(join(t, 'a')), o),
  },
];

/** What an attack could change on an outside path: mode, mtime and xattrs. */
function outsideState(paths: string[]): unknown[] {
  const xattrs = readXattrs('/', paths.map((p) => p.slice(1)));
  return paths.map((p) => {
    const st = lstatSync(p);
    return { path: p, mode: st.mode, mtimeMs: st.mtimeMs, xattrs: Object.keys(xattrs.get(p.slice(1)) ?? {}) };
  });
}

for (const c of hostile) {
  test(`hostile tar: ${c.name} is ${c.code ? `refused (${c.code})` : 'contained'}`, async (t) => {
    const base = await tempDir(t);
    const target = join(base, 'target');
    const outside = join(base, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'canary'), canary);
    mkdirSync(target);
    const before = readdirSync(base).sort();
    const victims = [outside, join(outside, 'canary')];
    const stateBefore = outsideState(victims);
    const run = async (): Promise<void> => {
      for (const layer of c.layers(outside)) await applyLayer(streamOf(layer), target, c.options ?? {});
    };
    if (c.code) {
      await assert.rejects(run, (err: Error & { code?: string }) => {
        assert.equal(err.code, c.code, err.message);
        if (c.names) assert.ok(err.message.includes(c.names), err.message);
        return true;
      });
    } else {
      await run();
      c.check?.(target, outside);
    }
    // Nothing outside the target changed.
    assert.deepEqual(readdirSync(base).sort(), before);
    assert.deepEqual(readdirSync(outside), ['canary']);
    assert.equal(readFileSync(join(outside, 'canary'), 'utf8'), canary);
    assert.equal(lstatSync(join(outside, 'canary')).nlink, 1);
    assert.deepEqual(outsideState(victims), stateBefore);
  });
}

test('the hostile corpus has at least 15 archives', () => {
  assert.ok(hostile.length >= 15);
});

test('symlinks are created verbatim (their targets are resolved only when used)', async (t) => {
  const dir = await tempDir(t);
  await applyLayer(streamOf(rawTar([{ path: 'abs', type: 'symlink', linkname: '/etc/passwd' }])), dir);
  assert.equal(readlinkSync(join(dir, 'abs')), '/etc/passwd');
});
