import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { OciLayout } from '../../../src/store/layout.js';
import { makeImage } from '../store/fixtures/images.js';

test('tag SRC DST points a new normalized name at the same manifest', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, { tag: 'docker.io/library/hello:latest' });
  const r = await runCli(['tag', 'hello', 'localhost:5000/copy', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Tagged localhost:5000/copy:latest\n');
  assert.deepEqual(await store.resolveTag('localhost:5000/copy:latest'), img.manifest);
  // By digest and with an explicit tag.
  const byDigest = await runCli(['tag', `hello@${img.manifest.digest}`, 'hello:v2', '--store', dir]);
  assert.equal(byDigest.code, 0, byDigest.stderr);
  assert.deepEqual(await store.resolveTag('docker.io/library/hello:v2'), img.manifest);
});

test('tag errors: unknown source (1), bad target or argument count (2)', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, { tag: 'docker.io/library/hello:latest' });
  const missing = await runCli(['tag', 'nope', 'x', '--store', dir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^oci-kit: error: no image named nope/);
  const invalid = await runCli(['tag', 'hello', 'Bad:Name', '--store', dir]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /invalid reference format/);
  const withDigest = await runCli(['tag', 'hello', `x@${img.manifest.digest}`, '--store', dir]);
  assert.equal(withDigest.code, 2);
  assert.equal((await runCli(['tag', 'hello', '--store', dir])).code, 2);
});
