// Archives written by `oci-kit save` are read by skopeo (docker-archive: inspect and copy), and
// archives skopeo writes (docker-archive:, oci-archive:) load into an oci-kit store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadArchive } from '../../../src/archive/load.js';
import { saveArchive } from '../../../src/archive/save.js';
import { OciLayout } from '../../../src/store/layout.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeImage, storeImage, type FixtureImage } from '../../unit/archive/fixtures.js';

const run = promisify(execFile);

async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run(requireTool('skopeo'), ['--insecure-policy', ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

async function storeWithImages(dir: string): Promise<{ store: OciLayout; a: FixtureImage; b: FixtureImage }> {
  const store = await OciLayout.open(join(dir, 'store'), { create: true });
  const a = await makeImage(['shared base', 'a only']);
  const b = await makeImage(['shared base', 'b only']);
  await storeImage(store, a, 'docker.io/library/interop-a:1');
  await storeImage(store, b, 'localhost:5000/interop-b:2');
  return { store, a, b };
}

test('skopeo inspects and copies the docker archive oci-kit saves (two images, shared base layer)', async (t) => {
  requireTool('skopeo');
  const dir = await tempDir(t);
  const { store, a, b } = await storeWithImages(dir);
  const archive = join(dir, 'two.tar');
  await saveArchive(store, ['interop-a:1', 'localhost:5000/interop-b:2'], archive);

  for (const [name, image] of [['interop-a:1', a], ['localhost:5000/interop-b:2', b]] as const) {
    const info = JSON.parse(await skopeo('inspect', `docker-archive:${archive}:${name}`)) as { Layers: string[]; Architecture: string };
    assert.equal(info.Architecture, 'amd64');
    assert.equal(info.Layers.length, image.layers.length);
    const config = JSON.parse(await skopeo('inspect', '--config', `docker-archive:${archive}:${name}`)) as { rootfs: { diff_ids: string[] } };
    assert.deepEqual(config.rootfs.diff_ids, image.config.rootfs.diff_ids);
  }

  const layout = join(dir, 'copied');
  await skopeo('copy', `docker-archive:${archive}:interop-a:1`, `oci:${layout}:copied`);
  const copied = await OciLayout.open(layout);
  const descriptor = await copied.resolveTag('copied');
  assert.ok(descriptor, 'skopeo wrote the tag');
  const manifest = JSON.parse((await copied.get(descriptor.digest)).toString()) as { config: { digest: string }; layers: unknown[] };
  assert.equal(manifest.layers.length, 2);
  const config = JSON.parse((await copied.get(manifest.config.digest as never)).toString()) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual(config.rootfs.diff_ids, a.config.rootfs.diff_ids);
});

test('archives skopeo writes (docker-archive and oci-archive) load with their names and content', async (t) => {
  requireTool('skopeo');
  const dir = await tempDir(t);
  // The source image, made with oci-kit, in its own layout under a plain tag skopeo can address.
  const image = await makeImage(['from skopeo', 'second layer']);
  const sourceDir = join(dir, 'source');
  await storeImage(await OciLayout.open(sourceDir, { create: true }), image, 'src');

  const dockerArchive = join(dir, 'skopeo-docker.tar');
  await skopeo('copy', `oci:${sourceDir}:src`, `docker-archive:${dockerArchive}:example.com/skopeo/img:3`);
  const target = await OciLayout.open(join(dir, 'target'), { create: true });
  const fromDocker = await loadArchive(createReadStream(dockerArchive), target);
  assert.deepEqual(fromDocker.images[0]!.tags, ['example.com/skopeo/img:3']);
  const loadedManifest = JSON.parse((await target.get(fromDocker.images[0]!.descriptor.digest)).toString()) as { config: { digest: string } };
  const loadedConfig = JSON.parse((await target.get(loadedManifest.config.digest as never)).toString()) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual(loadedConfig.rootfs.diff_ids, image.config.rootfs.diff_ids);

  const ociArchive = join(dir, 'skopeo-oci.tar');
  await skopeo('copy', `oci:${sourceDir}:src`, `oci-archive:${ociArchive}:v7`);
  const fromOci = await loadArchive(createReadStream(ociArchive), target, { repository: 'example.com/skopeo/oci' });
  assert.equal(fromOci.format, 'oci');
  assert.deepEqual(fromOci.images[0]!.tags, ['example.com/skopeo/oci:v7']);
  // skopeo copies an OCI image without changing it: the manifest digest survives the trip.
  assert.equal(fromOci.images[0]!.descriptor.digest, image.descriptor.digest);
});

test('round trip through skopeo: oci-kit save -> skopeo docker-archive copy -> oci-kit load keeps the config', async (t) => {
  requireTool('skopeo');
  const dir = await tempDir(t);
  const { store, a } = await storeWithImages(dir);
  const ours = join(dir, 'ours.tar');
  await saveArchive(store, ['interop-a:1'], ours);
  const theirs = join(dir, 'theirs.tar');
  await skopeo('copy', `docker-archive:${ours}`, `docker-archive:${theirs}:again:1`);
  const target = await OciLayout.open(join(dir, 'target'), { create: true });
  const result = await loadArchive(createReadStream(theirs), target);
  assert.deepEqual(result.images[0]!.tags, ['docker.io/library/again:1']);
  const manifest = JSON.parse((await target.get(result.images[0]!.descriptor.digest)).toString()) as { config: { digest: string } };
  assert.deepEqual(await readFile(join(dir, 'target', 'blobs', 'sha256', manifest.config.digest.slice(7))), a.configBytes);
});

test('skopeo reads the OCI archive oci-kit saves, by the full reference it is named with', async (t) => {
  requireTool('skopeo');
  const dir = await tempDir(t);
  const { store, b } = await storeWithImages(dir);
  const archive = join(dir, 'oci.tar');
  await saveArchive(store, ['interop-a:1', 'localhost:5000/interop-b:2'], archive, { format: 'oci' });
  const info = JSON.parse(await skopeo('inspect', '--raw', `oci-archive:${archive}:localhost:5000/interop-b:2`)) as { config: { digest: string } };
  assert.equal(info.config.digest, b.configDescriptor.digest);
  const layout = join(dir, 'from-oci-archive');
  await skopeo('copy', `oci-archive:${archive}:localhost:5000/interop-b:2`, `oci:${layout}:b`);
  assert.equal((await (await OciLayout.open(layout)).resolveTag('b'))?.digest, b.descriptor.digest);
});
