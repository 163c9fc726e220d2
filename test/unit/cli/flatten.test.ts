import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadImage } from '../../../src/image/index.js';
import { OciLayout } from '../../../src/store/layout.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { layeredImage, storeImage } from '../archive/fixtures.js';

test('flatten REF -t TAG writes a one-layer image', async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'store');
  await storeImage(await OciLayout.open(store, { create: true }), await layeredImage(), 'docker.io/library/layers:1');
  const r = await runCli(['--store', store, 'flatten', 'layers:1', '-t', 'flat:1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await loadImage(await OciLayout.open(store), 'flat:1')).manifest.layers.length, 1);
  assert.equal((await loadImage(await OciLayout.open(store), 'layers:1')).manifest.layers.length, 2);
});
