import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadImage } from '../../../src/image/index.js';
import { OciLayout } from '../../../src/store/layout.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeImage, makeTar, storeImage } from '../archive/fixtures.js';

test('append BASE TARBALL -t TAG adds a layer; scratch needs -t', async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'store');
  await storeImage(await OciLayout.open(store, { create: true }), await makeImage(['base']), 'docker.io/library/base:1');
  await writeFile(join(dir, 'layer.tar'), await makeTar([{ name: 'new', data: 'n' }]));
  const r = await runCli(['--store', store, 'append', 'base:1', join(dir, 'layer.tar'), '-t', 'more:1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^more:1@sha256:/);
  assert.equal((await loadImage(await OciLayout.open(store), 'more:1')).manifest.layers.length, 2);
  assert.equal((await runCli(['--store', store, 'append', 'scratch', join(dir, 'layer.tar')])).code, 2);
  const s = await runCli(['--store', store, 'append', 'scratch', join(dir, 'layer.tar'), '-t', 'solo:1', '--platform', 'linux/amd64']);
  assert.equal(s.code, 0, s.stderr);
});
