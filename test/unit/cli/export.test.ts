import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OciLayout } from '../../../src/store/layout.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { layeredImage, storeImage, tarFiles } from '../archive/fixtures.js';

test('export REF -o FILE writes the merged filesystem; to stdout when piped', async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'store');
  await storeImage(await OciLayout.open(store, { create: true }), await layeredImage(), 'docker.io/library/exp:1');
  const out = join(dir, 'fs.tar');
  const r = await runCli(['--store', store, 'export', 'exp:1', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await tarFiles(await readFile(out)), { 'b.txt': 'b2' });
  const piped = await runCli(['--store', store, 'export', 'exp:1']);
  assert.equal(piped.code, 0);
  assert.ok(piped.stdout.includes('b2'));
  assert.equal((await runCli(['--store', store, 'export', 'missing:1', '-o', join(dir, 'x.tar')])).code, 1);
});
