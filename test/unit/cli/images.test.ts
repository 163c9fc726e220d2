import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { OciLayout } from '../../../src/store/layout.js';
import { makeImage } from '../store/fixtures/images.js';

test('images lists repository, tag, short digest, size and created', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, { tag: 'docker.io/library/hello:latest', created: '2020-01-01T00:00:00Z', layers: ['x'.repeat(2000)] });
  await makeImage(store, { tag: 'localhost:5000/team/app:v1', created: '2021-06-01T00:00:00Z', layers: ['y'] });
  const r = await runCli(['images', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^REPOSITORY\s+TAG\s+DIGEST\s+SIZE\s+CREATED$/);
  assert.match(lines[1]!, /^localhost:5000\/team\/app\s+v1\s+[0-9a-f]{12}\s+\d+B\s+\d+ years ago$/);
  const size = `${Number(((img.config.size + 2000) / 1000).toPrecision(3))}kB`;
  assert.match(lines[2]!, new RegExp(`^hello\\s+latest\\s+${img.manifest.digest.slice(7, 19)}\\s+${size.replace('.', '\\.')}\\s+\\d+ years ago$`));
  assert.equal(lines.length, 3);

  const ls = await runCli(['ls', '--store', dir]);
  assert.equal(ls.stdout, r.stdout);
});

test('images --format json and --quiet', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, { tag: 'docker.io/library/hello:latest', created: '2020-01-01T00:00:00Z' });
  const json = await runCli(['images', '--format', 'json', '--store', dir]);
  assert.deepEqual(JSON.parse(json.stdout), [
    {
      Repository: 'hello',
      Tag: 'latest',
      Name: 'docker.io/library/hello:latest',
      Digest: img.manifest.digest,
      MediaType: img.manifest.mediaType,
      Id: img.config.digest,
      Size: img.config.size + img.layers[0]!.size,
      Created: '2020-01-01T00:00:00Z',
    },
  ]);
  const quiet = await runCli(['images', '-q', '--store', dir]);
  assert.equal(quiet.stdout, 'docker.io/library/hello:latest\n');
});

test('images on a store that does not exist prints only the header', async (t) => {
  const r = await runCli(['images', '--store', join(await tempDir(t), 'none')]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'REPOSITORY   TAG   DIGEST   SIZE   CREATED\n');
});

test('images uses OCI_KIT_STORE when --store is absent, and rejects arguments', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  await makeImage(store, { tag: 'docker.io/library/envstore:1' });
  const r = await runCli(['images'], { OCI_KIT_STORE: dir });
  assert.match(r.stdout, /envstore\s+1/);
  const bad = await runCli(['images', 'extra', '--store', dir]);
  assert.equal(bad.code, 2);
});
