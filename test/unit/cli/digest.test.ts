import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { OciLayout } from '../../../src/store/layout.js';
import { makeImage, makeIndex } from '../store/fixtures/images.js';

test('digest prints the tagged manifest or index digest', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, { tag: 'docker.io/library/hello:latest' });
  const r = await runCli(['digest', 'hello', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${img.manifest.digest}\n`);
  const arm = await makeImage(store, { platform: { os: 'linux', architecture: 'arm64' }, layers: ['arm'] });
  const index = await makeIndex(store, [img, arm], 'docker.io/library/multi:1');
  assert.equal((await runCli(['digest', 'multi:1', '--store', dir])).stdout, `${index.descriptor.digest}\n`);
  assert.equal((await runCli(['digest', '--platform', 'linux/arm64', 'multi:1', '--store', dir])).stdout, `${arm.manifest.digest}\n`);
  assert.deepEqual(JSON.parse((await runCli(['digest', 'hello', '--format', 'json', '--store', dir])).stdout), img.manifest);
  const missing = await runCli(['digest', 'ghost', '--store', dir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no image named ghost/);
});
