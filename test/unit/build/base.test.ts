import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveBase } from '../../../src/build/base.js';
import { writeImage, writeIndex } from '../../../src/build/image.js';
import { MemoryStore } from '../../../src/store/memory.js';
import type { ImageConfig } from '../../../src/image/types.js';

const config = (architecture: string): ImageConfig => ({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });

test('resolveBase finds a tag in the store and narrows an index to the platform', async () => {
  const store = new MemoryStore();
  const amd = await writeImage(store, config('amd64'), []);
  const arm = await writeImage(store, config('arm64'), []);
  const index = await writeIndex(store, [amd, arm]);
  await index.tag('multi:1');
  const got = await resolveBase(store, 'multi:1', { os: 'linux', architecture: 'arm64' }, { pull: false });
  assert.equal(got.descriptor.digest, arm.digest);
  assert.equal(got.config.architecture, 'arm64');
  await assert.rejects(resolveBase(store, 'multi:1', { os: 'linux', architecture: 's390x' }, { pull: false }), (e: Error & { code?: string }) => e.code === 'ERR_PLATFORM_NOT_FOUND' && /has: linux\/amd64, linux\/arm64/.test(e.message));
});

test('resolveBase by digest, platform mismatch, and a clear error when absent and not pulled', async () => {
  const store = new MemoryStore();
  const amd = await writeImage(store, config('amd64'), []);
  const got = await resolveBase(store, `anything@${amd.digest}`, { os: 'linux', architecture: 'amd64' }, { pull: false });
  assert.equal(got.descriptor.digest, amd.digest);
  await amd.tag('single:1');
  await assert.rejects(resolveBase(store, 'single:1', { os: 'linux', architecture: 'arm64' }, { pull: false }), (e: Error & { code?: string }) => e.code === 'ERR_PLATFORM_MISMATCH');
  await assert.rejects(resolveBase(store, 'nothing:1', { os: 'linux', architecture: 'amd64' }, { pull: false }), (e: Error & { code?: string }) => e.code === 'ERR_BASE_NOT_FOUND');
});

test('resolveBase pulls from the registry when the store lacks the image, then finds it locally', async (t) => {
  const { TestRegistry } = await import('../../../src/testing/test-registry.js');
  const registry = await TestRegistry.start();
  t.after(() => registry.close());
  const source = new MemoryStore();
  const image = await writeImage(source, config('amd64'), []);
  await image.push(`${registry.host}/base/img:1`);
  const store = new MemoryStore();
  const pulled: string[] = [];
  const { createBuildEmitter } = await import('../../../src/build/events.js');
  const events = createBuildEmitter();
  events.on('pull', (p) => pulled.push(p.reference));
  const got = await resolveBase(store, `${registry.host}/base/img:1`, { os: 'linux', architecture: 'amd64' }, { events });
  assert.equal(got.descriptor.digest, image.digest);
  assert.deepEqual(pulled, [`${registry.host}/base/img:1`]);
  assert.ok(await store.resolveTag(`${registry.host}/base/img:1`));
  await resolveBase(store, `${registry.host}/base/img:1`, { os: 'linux', architecture: 'amd64' }, { events });
  assert.equal(pulled.length, 1, 'the second resolve is served by the store');
  await assert.rejects(resolveBase(store, `${registry.host}/base/missing:1`, { os: 'linux', architecture: 'amd64' }), (e: Error & { code?: string }) => e.code === 'ERR_BASE_NOT_FOUND' && /pulling it failed/.test(e.message));
});
