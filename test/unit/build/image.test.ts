import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeImage, writeIndex } from '../../../src/build/image.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { MemoryStore } from '../../../src/store/memory.js';
import type { ImageConfig } from '../../../src/image/types.js';

const config: ImageConfig = { history: [], rootfs: { type: 'layers', diff_ids: [] }, os: 'linux', architecture: 'arm64', variant: 'v8', created: '2020-01-01T00:00:00Z' } as ImageConfig;

test('writeImage: stable config key order, verified blobs, platform on the descriptor, tag normalizes', async () => {
  const store = new MemoryStore();
  const image = await writeImage(store, config, [], { annotations: { a: 'b' } });
  const configBytes = await store.get(image.manifest!.config.digest);
  assert.ok(configBytes.toString().startsWith('{"created":"2020-01-01T00:00:00Z","architecture":"arm64","os":"linux","variant":"v8"'));
  assert.equal(image.manifest!.config.digest, digestOf(configBytes));
  assert.equal(image.digest, digestOf(await store.get(image.digest)));
  assert.deepEqual(image.descriptor.platform, { architecture: 'arm64', os: 'linux', variant: 'v8' });
  assert.deepEqual(image.manifest!.annotations, { a: 'b' });
  assert.equal(await image.tag('hello'), 'docker.io/library/hello:latest');
  assert.equal((await store.resolveTag('docker.io/library/hello:latest'))?.digest, image.digest);
  const again = await writeImage(new MemoryStore(), config, []);
  assert.notEqual(again.digest, image.digest, 'annotations change the manifest');
  assert.equal((await writeImage(new MemoryStore(), config, [])).digest, again.digest);
});

test('docker family media types; writeIndex over per-platform images', async () => {
  const store = new MemoryStore();
  const docker = await writeImage(store, config, [], { family: 'docker', annotations: { ignored: 'x' } });
  assert.equal(docker.manifest!.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.equal(docker.manifest!.annotations, undefined);
  const amd = await writeImage(store, { ...config, architecture: 'amd64' }, []);
  const index = await writeIndex(store, [docker, amd]);
  assert.equal(index.index!.manifests.length, 2);
  assert.equal(index.images.length, 2);
  assert.equal(index.descriptor.mediaType, 'application/vnd.oci.image.index.v1+json');
});

test('save writes a docker (default) or OCI archive of the image', async (t) => {
  const { tempDir } = await import('../../helpers/tmp.js');
  const { execFileSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const dir = await tempDir(t);
  const store = new MemoryStore();
  const image = await writeImage(store, config, []);
  await image.save(join(dir, 'docker.tar'), { reference: 'saved:1' });
  await image.save(join(dir, 'oci.tar'), { format: 'oci' });
  const list = (file: string) => execFileSync('tar', ['-tf', join(dir, file)], { encoding: 'utf8' }).split('\n');
  assert.ok(list('docker.tar').includes('manifest.json'));
  assert.ok(list('oci.tar').includes('index.json'));
  assert.ok(list('oci.tar').includes('oci-layout'));
});
