// zstd-compressed inputs, made with the zstd tool: a saved archive piped through `zstd` loads, and a
// rootfs tarball compressed with `zstd` imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importRootfs } from '../../../src/archive/import.js';
import { loadArchive } from '../../../src/archive/load.js';
import { saveArchive } from '../../../src/archive/save.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeImage, makeTar, storeImage } from '../../unit/archive/fixtures.js';

const run = promisify(execFile);

test('a zstd-compressed docker archive loads', async (t) => {
  const zstd = requireTool('zstd');
  const dir = await tempDir(t);
  const store = new MemoryStore();
  const image = await makeImage(['zstd archive']);
  await storeImage(store, image, 'docker.io/library/zst:1');
  const tar = join(dir, 'image.tar');
  await saveArchive(store, ['zst:1'], tar);
  await run(zstd, ['-q', tar, '-o', `${tar}.zst`]);
  const target = new MemoryStore();
  const result = await loadArchive(createReadStream(`${tar}.zst`), target);
  assert.equal(result.images[0]!.descriptor.digest, image.descriptor.digest);
  assert.deepEqual(result.images[0]!.tags, ['docker.io/library/zst:1']);
});

test('a zstd rootfs tarball imports, its diffID the digest of the plain tar', async (t) => {
  const zstd = requireTool('zstd');
  const dir = await tempDir(t);
  const tar = await makeTar([{ name: 'etc/os-release', data: 'ID=zstd\n' }]);
  await writeFile(join(dir, 'rootfs.tar'), tar);
  await run(zstd, ['-q', join(dir, 'rootfs.tar'), '-o', join(dir, 'rootfs.tar.zst')]);
  const result = await importRootfs(join(dir, 'rootfs.tar.zst'), new MemoryStore(), { ref: 'zimport:1', platform: 'linux/amd64' });
  assert.deepEqual(result.image.config.rootfs.diff_ids, [digestOf(tar)]);
});
