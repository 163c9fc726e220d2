import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive, temporaryName, temporaryOwner, writeFileAtomic } from '../../../src/store/atomic-file.js';
import { tempDir } from '../../helpers/tmp.js';

test('writeFileAtomic replaces the target and leaves no temporary file', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'tmp'));
  const target = join(dir, 'index.json');
  await writeFile(target, 'old');
  await writeFileAtomic(target, 'new content', join(dir, 'tmp'));
  assert.equal(await readFile(target, 'utf8'), 'new content');
  assert.deepEqual(await readdir(join(dir, 'tmp')), []);
});

test('writeFileAtomic keeps the old file when it cannot finish', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'tmp'));
  const target = join(dir, 'sub');
  await mkdir(target);
  // rename(file, directory) fails: the target must be untouched and the temp file gone.
  await assert.rejects(writeFileAtomic(target, 'x', join(dir, 'tmp')));
  assert.deepEqual(await readdir(join(dir, 'tmp')), []);
  assert.deepEqual(await readdir(target), []);
});

test('temporary names carry their owner pid', () => {
  const name = temporaryName('blob');
  assert.match(name, /^blob-\d+-[0-9a-f]{12}$/);
  assert.equal(temporaryOwner(name), process.pid);
  assert.equal(temporaryOwner('blob-12-short'), undefined);
  assert.equal(temporaryOwner('something-else'), undefined);
  assert.equal(processAlive(process.pid), true);
});
