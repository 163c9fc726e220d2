import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { OciLayout } from '../../../src/store/layout.js';
import { makeImage } from '../store/fixtures/images.js';

test('rm untags, keeps content and other tags', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, { tag: 'docker.io/library/hello:latest' });
  await store.setTag('docker.io/library/hello:v2', img.manifest);
  const r = await runCli(['rm', 'hello', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Untagged: hello:latest\n');
  assert.deepEqual((await store.listTags()).map((x) => x.name), ['docker.io/library/hello:v2']);
  assert.equal(await store.has(img.manifest.digest), true);
});

test('rm of an unknown name fails; with several names the known ones are still removed', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  await makeImage(store, { tag: 'docker.io/library/a:1' });
  const one = await runCli(['rm', 'ghost', '--store', dir]);
  assert.equal(one.code, 1);
  assert.match(one.stderr, /^oci-kit: error: no image named ghost/);
  const many = await runCli(['rm', 'ghost', 'a:1', '--store', dir]);
  assert.equal(many.code, 1);
  assert.equal(many.stdout, 'Untagged: a:1\n');
  assert.match(many.stderr, /no image named ghost/);
  assert.deepEqual(await store.listTags(), []);
  assert.equal((await runCli(['rm', '--store', dir])).code, 2);
});

test('rm removes a name stored verbatim by another tool', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  await makeImage(store, { tag: 'v1' });
  const r = await runCli(['rm', 'v1', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Untagged: v1\n');
});
