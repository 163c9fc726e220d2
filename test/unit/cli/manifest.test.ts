import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { OciLayout } from '../../../src/store/layout.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { makeImage, makeIndex } from '../store/fixtures/images.js';

test('manifest prints the stored bytes exactly; --platform selects from an index', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, { tag: 'docker.io/library/hello:latest' });
  const r = await runCli(['manifest', 'hello', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, img.manifestBytes.toString());
  assert.equal(digestOf(r.stdout), img.manifest.digest);

  const arm = await makeImage(store, { platform: { os: 'linux', architecture: 'arm64' }, layers: ['arm'] });
  const index = await makeIndex(store, [img, arm], 'docker.io/library/multi:1');
  assert.equal((await runCli(['manifest', 'multi:1', '--store', dir])).stdout, index.bytes.toString());
  assert.equal((await runCli(['manifest', '--platform', 'linux/arm64', 'multi:1', '--store', dir])).stdout, arm.manifestBytes.toString());
  assert.equal((await runCli(['manifest', 'ghost', '--store', dir])).code, 1);
});
