import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadImage } from '../../../src/image/index.js';
import { OciLayout } from '../../../src/store/layout.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeImageFromTars, makeTar, storeImage } from '../archive/fixtures.js';

test('rebase REF --old-base --new-base swaps the base layers', async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'store');
  const layout = await OciLayout.open(store, { create: true });
  const baseTar = await makeTar([{ name: 'os', data: '1' }]);
  const appTar = await makeTar([{ name: 'app', data: 'a' }]);
  const oldBase = await makeImageFromTars([baseTar]);
  const app = await makeImageFromTars([baseTar, appTar]);
  const newBase = await makeImageFromTars([await makeTar([{ name: 'os', data: '2' }])]);
  await storeImage(layout, oldBase, 'docker.io/library/base:1');
  await storeImage(layout, newBase, 'docker.io/library/base:2');
  await storeImage(layout, app, 'docker.io/library/app:1');
  assert.equal((await runCli(['--store', store, 'rebase', 'app:1'])).code, 2);
  const r = await runCli(['--store', store, 'rebase', 'app:1', '--old-base', 'base:1', '--new-base', 'base:2']);
  assert.equal(r.code, 0, r.stderr);
  const rebased = await loadImage(await OciLayout.open(store), 'app:1');
  assert.equal(rebased.manifest.layers[0]!.digest, newBase.manifest.layers[0]!.digest);
  assert.equal(rebased.manifest.layers[1]!.digest, app.manifest.layers[1]!.digest);
});
