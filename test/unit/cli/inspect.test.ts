import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { OciLayout } from '../../../src/store/layout.js';
import { makeImage, makeIndex } from '../store/fixtures/images.js';

test('inspect prints a docker-image-inspect-shaped array', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, { tag: 'docker.io/library/hello:latest', created: '2024-02-02T00:00:00Z', env: ['A=1'] });
  const r = await runCli(['inspect', 'hello', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  const [record, ...rest] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  assert.equal(rest.length, 0);
  assert.equal(record!.Id, img.config.digest);
  assert.deepEqual(record!.RepoTags, ['hello:latest']);
  assert.deepEqual(record!.RepoDigests, [`hello@${img.manifest.digest}`]);
  assert.equal(record!.Created, '2024-02-02T00:00:00Z');
  assert.deepEqual(record!.Config, { Env: ['A=1'], Cmd: ['/bin/sh'] });
  assert.equal(record!.Architecture, 'amd64');
  assert.equal(record!.Os, 'linux');
  assert.equal(record!.Size, img.config.size + img.layers[0]!.size);
  assert.deepEqual(record!.RootFS, { Type: 'layers', Layers: img.configJson.rootfs.diff_ids });
});

test('inspect --platform picks from an index; unknown names fail with exit 1', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const amd = await makeImage(store, { platform: { os: 'linux', architecture: 'amd64' }, layers: ['a'] });
  const arm = await makeImage(store, { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, layers: ['b'] });
  await makeIndex(store, [amd, arm], 'docker.io/library/multi:1');
  const r = await runCli(['inspect', '--platform', 'linux/arm/v7', 'multi:1', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  const [record] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  assert.equal(record!.Id, arm.config.digest);
  assert.equal(record!.Variant, 'v7');
  const missing = await runCli(['inspect', 'ghost', '--store', dir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^oci-kit: error: no image named ghost/);
  assert.equal((await runCli(['inspect', '--store', dir])).code, 2);
});
