import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { OciLayout } from '../../../src/store/layout.js';
import { makeImage } from '../store/fixtures/images.js';

test('prune deletes what untagged images left and prints it', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const kept = await makeImage(store, { tag: 'docker.io/library/kept:1', layers: ['k'] });
  const gone = await makeImage(store, { tag: 'docker.io/library/gone:1', layers: ['g1', 'g2'] });
  // The test's own writes are done: release its write lease, as a finished pull or build does.
  await store.close();
  assert.equal((await runCli(['rm', 'gone:1', '--store', dir])).code, 0);

  const dry = await runCli(['prune', '--dry-run', '--store', dir]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Would delete: sha256:/);
  assert.equal(await store.has(gone.manifest.digest), true);

  const r = await runCli(['prune', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  const freed = [gone.manifest, gone.config, ...gone.layers];
  for (const d of freed) assert.ok(r.stdout.includes(`Deleted: ${d.digest}`));
  const bytes = freed.reduce((s, d) => s + d.size, 0);
  assert.match(r.stdout, new RegExp(`Total reclaimed space: ${bytes}B \\(4 blob\\(s\\); 3 kept\\)`));
  for (const d of freed) assert.equal(await store.has(d.digest), false);
  assert.equal(await store.has(kept.layers[0]!.digest), true);

  const json = await runCli(['prune', '--format', 'json', '--store', dir]);
  assert.equal(JSON.parse(json.stdout).count, 0);
});

test('prune --min-age spares fresh blobs; bad values are usage errors; a missing store is fine', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  await store.put('fresh stray');
  const r = await runCli(['prune', '--min-age', '3600', '--format', 'json', '--store', dir]);
  assert.equal(JSON.parse(r.stdout).count, 0);
  assert.equal((await runCli(['prune', '--min-age', 'soon', '--store', dir])).code, 2);
  const none = await runCli(['prune', '--store', join(dir, 'absent')]);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /Nothing to prune/);
});

test('prune spares blobs of a writer that holds a lease and frees them once it is released', async (t) => {
  const dir = await tempDir(t);
  const writer = await OciLayout.open(dir, { create: true });
  const pending = await writer.put('layer of a pull in progress');
  const r = await runCli(['prune', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Spared 1 unreferenced blob\(s\) written recently \(protected by 1 running writer\(s\)\)/);
  assert.equal(await writer.has(pending.digest), true);
  await writer.close();
  const after = await runCli(['prune', '--store', dir]);
  assert.ok(after.stdout.includes(`Deleted: ${pending.digest}`), after.stdout);
});
