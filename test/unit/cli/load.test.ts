import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OciLayout } from '../../../src/store/layout.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { legacyArchive, makeImage, storeImage } from '../archive/fixtures.js';

test('load -i FILE and load from stdin print the loaded names and tag the store', async (t) => {
  const dir = await tempDir(t);
  const source = join(dir, 'source');
  const image = await makeImage(['load']);
  await storeImage(await OciLayout.open(source, { create: true }), image, 'docker.io/library/loadme:2');
  const archive = join(dir, 'a.tar');
  assert.equal((await runCli(['--store', source, 'save', '-o', archive, 'loadme:2'])).code, 0);

  const target = join(dir, 'target');
  const r = await runCli(['--store', target, 'load', '-i', archive]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Loaded image: loadme:2\n');
  const loaded = await OciLayout.open(target);
  assert.equal((await loaded.resolveTag('docker.io/library/loadme:2'))?.digest, image.descriptor.digest);

  const viaStdin = join(dir, 'stdin');
  const s = await runCli(['--store', viaStdin, 'load'], {}, await legacyArchive(image, ['old:1']));
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout, 'Loaded image: old:1\n');

  const json = await runCli(['--store', viaStdin, '--format', 'json', 'load', '-i', archive]);
  assert.equal((JSON.parse(json.stdout) as { format: string }).format, 'docker');

  const missing = await runCli(['--store', viaStdin, 'load', '-i', join(dir, 'nope.tar')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read the archive .*nope\.tar: no such file/);
});

test('load reports a damaged archive as an error with exit code 1', async (t) => {
  const dir = await tempDir(t);
  const bad = join(dir, 'bad.tar');
  const image = await makeImage(['bad']);
  const archive = await legacyArchive(image, ['bad:1'], { corruptLayer: true });
  await writeFile(bad, archive);
  const r = await runCli(['--store', join(dir, 'store'), 'load', '-i', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^oci-kit: error: .*diffID/);
  assert.deepEqual(await (await OciLayout.open(join(dir, 'store'), { create: true })).listTags(), []);
});
