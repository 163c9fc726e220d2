import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileDigestCache } from '../../../src/build/cache.js';
import { BuildContext } from '../../../src/build/context.js';
import { archiveKind, canRunPlatform, collectSources, fileDigest, hashSources, isUrl, parseChmod } from '../../../src/build/steps.js';
import { hostPlatform } from '../../../src/image/platform.js';
import { tempDir } from '../../helpers/tmp.js';

test('parseChmod takes octal and refuses the rest with a hint', () => {
  assert.equal(parseChmod('755'), 0o755);
  assert.equal(parseChmod('0644'), 0o644);
  assert.equal(parseChmod(undefined), undefined);
  assert.throws(() => parseChmod('u+x'), (e: Error & { hint?: string }) => /octal/.test(e.hint ?? ''));
});

test('archiveKind recognises tar and compressed tars by magic bytes, not by name', async (t) => {
  const dir = await tempDir(t);
  const header = Buffer.alloc(512);
  header.write('f', 0);
  header.write('ustar\0', 257, 'latin1');
  await writeFile(join(dir, 'x.bin'), header);
  await writeFile(join(dir, 'a'), gzipSync(header));
  await writeFile(join(dir, 'b'), Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(32)]));
  await writeFile(join(dir, 'c'), Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(32)]));
  await writeFile(join(dir, 'd'), Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(32)]));
  await writeFile(join(dir, 'f'), 'hello');
  assert.equal(archiveKind(join(dir, 'x.bin')), 'tar');
  assert.deepEqual(['a', 'b', 'c', 'd'].map((n) => archiveKind(join(dir, n))), ['gzip', 'bzip2', 'xz', 'zstd']);
  assert.equal(archiveKind(join(dir, 'f')), undefined);
});

test('hashSources follows content and modes, not mtimes; fileDigest reuses the stat-keyed table', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'd'));
  await writeFile(join(dir, 'd/a'), 'a');
  const table = new FileDigestCache();
  const hash = () => hashSources(collectSources(new BuildContext(dir), ['d'], {}), table);
  const first = hash();
  assert.equal(hash(), first);
  await writeFile(join(dir, 'd/a'), 'b');
  const second = hash();
  assert.notEqual(second, first);
  await writeFile(join(dir, 'd/a'), 'a');
  assert.equal(hash(), first, 'same content, same hash, whatever the mtime');
  const entry = new BuildContext(dir).resolve('d/a')[0]!;
  assert.equal(fileDigest(entry, table), 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb');
});

test('collectSources with --parents keeps the path below a /./ pivot', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'a/b'), { recursive: true });
  await writeFile(join(dir, 'a/b/f'), 'f');
  const ctx = new BuildContext(dir);
  assert.equal(collectSources(ctx, ['a/b/f'], { parents: true })[0]!.parentsPath, 'a/b/f');
  assert.equal(collectSources(ctx, ['a/./b/f'], { parents: true })[0]!.parentsPath, 'b/f');
});

test('isUrl and canRunPlatform', () => {
  assert.ok(isUrl('https://x/y') && isUrl('HTTP://x') && !isUrl('ftp://x') && !isUrl('file.txt'));
  assert.equal(canRunPlatform({ os: 'linux', architecture: hostPlatform().architecture }), true);
  assert.equal(canRunPlatform({ os: 'windows', architecture: hostPlatform().architecture }), false);
});

test('contentHash answers an unchanged source set from its record without touching the file table', async (t) => {
  const { contentHash } = await import('../../../src/build/steps.js');
  const { MemoryBuildCache } = await import('../../../src/build/cache.js');
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a'), 'a');
  const inner = new MemoryBuildCache();
  let tableUses = 0;
  const cache = {
    get: (k: string) => inner.get(k),
    set: (k: string, r: Parameters<typeof inner.set>[1]) => inner.set(k, r),
    flush: () => inner.flush(),
    get files() {
      tableUses++;
      return inner.files;
    },
  };
  const sources = () => collectSources(new BuildContext(dir), ['.'], {});
  const first = await contentHash(sources(), cache);
  assert.equal(tableUses, 1);
  assert.equal(await contentHash(sources(), cache), first);
  assert.equal(tableUses, 1, 'the second call is answered by the source-set record');
  await writeFile(join(dir, 'a'), 'changed');
  assert.notEqual(await contentHash(sources(), cache), first);
  assert.equal(tableUses, 2);
});

test('knownContentHash finds what contentHash recorded, with the same excludes and --parents, and misses after a change', async (t) => {
  const { contentHash, knownContentHash } = await import('../../../src/build/steps.js');
  const { MemoryBuildCache } = await import('../../../src/build/cache.js');
  const dir = await tempDir(t);
  await mkdir(join(dir, 'd/sub'), { recursive: true });
  await writeFile(join(dir, 'd/sub/a.js'), 'a');
  await writeFile(join(dir, 'd/b.txt'), 'b');
  await writeFile(join(dir, 'top'), 't');
  await symlink('sub/a.js', join(dir, 'd/link'));
  const cache = new MemoryBuildCache();
  const ctx = new BuildContext(dir, ['d/b.txt']);
  const patterns = ['d', 'top', 'd/./sub'];
  const options = { exclude: ['**/*.js'], parents: true };
  assert.equal(await knownContentHash(ctx, patterns, options, cache), undefined);
  const recorded = await contentHash(collectSources(ctx, patterns, options), cache);
  assert.equal(await knownContentHash(ctx, patterns, options, cache), recorded);
  assert.equal(await knownContentHash(ctx, patterns, {}, cache), undefined, 'other options are other source sets');
  await writeFile(join(dir, 'd/sub/a.js'), 'excluded, so still known');
  assert.equal(await knownContentHash(ctx, patterns, options, cache), recorded);
  await writeFile(join(dir, 'top'), 'changed');
  assert.equal(await knownContentHash(ctx, patterns, options, cache), undefined);
});
