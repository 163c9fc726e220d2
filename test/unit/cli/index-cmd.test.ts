import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadImage } from '../../../src/image/index.js';
import { OciLayout } from '../../../src/store/layout.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeImageFromTars, makeTar, storeImage } from '../archive/fixtures.js';

test('index create TAG REF... and index append INDEX REF...', async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'store');
  const layout = await OciLayout.open(store, { create: true });
  const tar = await makeTar([{ name: 'f', data: 'x' }]);
  const amd = await makeImageFromTars([tar], true, { os: 'linux', architecture: 'amd64' });
  const arm = await makeImageFromTars([tar], true, { os: 'linux', architecture: 'arm64' });
  await storeImage(layout, amd, 'docker.io/library/i:amd');
  await storeImage(layout, arm, 'docker.io/library/i:arm');
  const c = await runCli(['--store', store, 'index', 'create', 'i:multi', 'i:amd']);
  assert.equal(c.code, 0, c.stderr);
  const a = await runCli(['--store', store, 'index', 'append', 'i:multi', 'i:arm']);
  assert.equal(a.code, 0, a.stderr);
  const picked = await loadImage(await OciLayout.open(store), 'i:multi', { platform: 'linux/arm64' });
  assert.equal(picked.descriptor.digest, arm.descriptor.digest);
  assert.equal((await runCli(['--store', store, 'index', 'remove', 'i:multi'])).code, 2);
});
