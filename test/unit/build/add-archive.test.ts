import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { archiveEntries } from '../../../src/build/add-archive.js';
import { buildDockerfile } from '../../../src/build/dockerfile-build.js';
import type { LayerEntry } from '../../../src/layer/entry.js';
import type { TarHeader } from '../../../src/layer/tar-format.js';
import { writeTar } from '../../../src/layer/tar-writer.js';
import { readTar } from '../../../src/layer/tar-reader.js';
import { decompressStream } from '../../../src/layer/compress.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { tempDir } from '../../helpers/tmp.js';

const isRoot = process.getuid?.() === 0;

/** A tree with the members a host extraction by tar used to lose. */
async function specialTree(dir: string): Promise<void> {
  const root = join(dir, 'tree');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(root, 'setuid'), 'su');
  await chmod(join(root, 'setuid'), 0o4755);
  await writeFile(join(root, 'open'), 'rw');
  await chmod(join(root, 'open'), 0o666);
  await chmod(join(root, 'sub'), 0o1777);
  execFileSync('mkfifo', [join(root, 'pipe')]);
  execFileSync('ln', [join(root, 'open'), join(root, 'sub/hard')]);
  execFileSync('ln', ['-s', '../open', join(root, 'sub/soft')]);
  if (isRoot) execFileSync('mknod', [join(root, 'null'), 'c', '1', '3']);
  execFileSync('tar', ['-cf', join(dir, 'a.tar'), '--owner=1234', '--group=5678', '--numeric-owner', '-C', root, '.']);
}

function byPath(entries: LayerEntry[]): Map<string, LayerEntry> {
  return new Map(entries.map((e) => [e.path, e]));
}

test('archive members keep setuid/sticky/0666 modes, owners, fifos, devices, hardlinks and symlinks, in every compression', async (t) => {
  const dir = await tempDir(t);
  await specialTree(dir);
  execFileSync('sh', ['-c', 'gzip -c a.tar > a.gz && bzip2 -c a.tar > a.bz2 && xz -c a.tar > a.xz && zstd -qc a.tar > a.zst'], { cwd: dir });
  for (const [file, kind] of [['a.tar', 'tar'], ['a.gz', 'gzip'], ['a.bz2', 'bzip2'], ['a.xz', 'xz'], ['a.zst', 'zstd']] as const) {
    const { entries } = await archiveEntries(join(dir, file), kind, file, { dest: '/opt/x', tmpRoot: dir });
    const got = byPath(entries);
    assert.equal(got.get('opt/x/setuid')?.mode, 0o4755, kind);
    assert.equal(got.get('opt/x/open')?.mode, 0o666, kind);
    assert.equal(got.get('opt/x/sub')?.mode, 0o1777, kind);
    assert.equal(got.get('opt/x/pipe')?.type, 'fifo', kind);
    assert.deepEqual([got.get('opt/x/setuid')?.uid, got.get('opt/x/setuid')?.gid], [1234, 5678]);
    // tar stores the bytes at the first name it meets and a hardlink at the other.
    const links = entries.filter((e) => e.type === 'hardlink');
    const pair = ['opt/x/open', 'opt/x/sub/hard'];
    assert.equal(links.length, 1, kind);
    assert.deepEqual([links[0]!.path, links[0]!.linkname].sort(), pair, kind);
    assert.deepEqual([got.get('opt/x/sub/soft')?.type, got.get('opt/x/sub/soft')?.linkname], ['symlink', '../open']);
    assert.equal(Buffer.from(got.get('opt/x/setuid')!.content as Uint8Array).toString(), 'su');
    if (isRoot) assert.deepEqual([got.get('opt/x/null')?.type, got.get('opt/x/null')?.devmajor, got.get('opt/x/null')?.devminor], ['char', 1, 3]);
    assert.equal(got.has('opt/x'), false, 'the archive root leaves the destination as it is');
  }
  // --chown, --chmod and SOURCE_DATE_EPOCH replace what the archive says.
  const { entries } = await archiveEntries(join(dir, 'a.tar'), 'tar', 'a.tar', { dest: '/', uid: 1, gid: 2, chmod: 0o700, epoch: 5, tmpRoot: dir });
  const got = byPath(entries);
  assert.deepEqual([got.get('setuid')?.uid, got.get('setuid')?.gid, got.get('setuid')?.mode, got.get('setuid')?.mtime], [1, 2, 0o700, 5]);
});

test('large bodies are spilled to a private file, not held in memory', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/big'), Buffer.alloc(4096, 7));
  execFileSync('tar', ['-cf', join(dir, 'a.tar'), '-C', join(dir, 'src'), 'big']);
  const { entries, spillDir } = await archiveEntries(join(dir, 'a.tar'), 'tar', 'a.tar', { dest: '/d', tmpRoot: dir, memoryFileLimit: 1024 });
  const big = byPath(entries).get('d/big')!;
  assert.ok(spillDir && big.sourcePath?.startsWith(spillDir));
  assert.deepEqual(await readFile(big.sourcePath!), Buffer.alloc(4096, 7));
  assert.equal(big.size, 4096);
});

async function craftedTar(path: string, members: Array<Partial<TarHeader> & { path: string }>): Promise<void> {
  const headers = members.map((m) => ({
    header: { type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1, linkname: '', uname: '', gname: '', devmajor: 0, devminor: 0, xattrs: undefined, ...m } as TarHeader,
    content: Buffer.alloc(0),
  }));
  await pipeline(Readable.from(writeTar(headers)), createWriteStream(path));
}

test('member names are rooted at the destination; names and links that climb out fail like Docker', async (t) => {
  const dir = await tempDir(t);
  await craftedTar(join(dir, 'ok.tar'), [{ path: '/etc/abs' }, { path: 'a/../b' }, { path: 'l', type: 'symlink', linkname: '/usr/bin' }]);
  const got = byPath((await archiveEntries(join(dir, 'ok.tar'), 'tar', 'ok.tar', { dest: '/d', tmpRoot: dir })).entries);
  assert.deepEqual([...got.keys()].sort(), ['d/b', 'd/etc/abs', 'd/l']);
  for (const bad of [
    [{ path: 'a/../../x' }],
    [{ path: 'x' }, { path: 'h', type: 'hardlink' as const, linkname: '../x' }],
    [{ path: 'sub/s', type: 'symlink' as const, linkname: '../../etc' }],
  ]) {
    await craftedTar(join(dir, 'bad.tar'), bad);
    await assert.rejects(archiveEntries(join(dir, 'bad.tar'), 'tar', 'bad.tar', { dest: '/d', tmpRoot: dir }), { code: 'ERR_ARCHIVE_UNSAFE_PATH' });
  }
});

test('ADD of a local archive writes the archive members into the layer as they are', async (t) => {
  const dir = await tempDir(t);
  await specialTree(dir);
  execFileSync('gzip', ['-k', join(dir, 'a.tar')]);
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nADD a.tar.gz /app/\n');
  const store = new MemoryStore();
  const image = await buildDockerfile({ context: dir, store, sourceDateEpoch: 9 });
  const layer = image.manifest!.layers[0]!;
  const members = new Map<string, { mode: number; type: string; uid: number }>();
  for await (const m of readTar(decompressStream((async function* () { yield await store.get(layer.digest); })()))) {
    members.set(m.path.replace(/\/$/, ''), { mode: m.mode & 0o7777, type: m.type, uid: m.uid });
  }
  assert.equal(members.get('app/setuid')?.mode, 0o4755);
  assert.equal(members.get('app/open')?.mode, 0o666);
  assert.equal(members.get('app/sub')?.mode, 0o1777);
  assert.equal(members.get('app/pipe')?.type, 'fifo');
  assert.equal(members.get('app/setuid')?.uid, 1234);
  assert.ok(['app/sub/hard', 'app/open'].some((p) => members.get(p)?.type === 'hardlink'));
  if (isRoot) assert.equal(members.get('app/null')?.type, 'char');
  assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n.startsWith('oci-kit-add-'))), []);
});
