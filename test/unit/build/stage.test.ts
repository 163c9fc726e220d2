import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryBuildCache } from '../../../src/build/cache.js';
import { createBuildEmitter } from '../../../src/build/events.js';
import { Stage, buildTimestamp, type BuildSettings } from '../../../src/build/stage.js';
import { MemoryStore } from '../../../src/store/memory.js';

function settings(overrides: Partial<BuildSettings> = {}): BuildSettings {
  return {
    store: new MemoryStore(),
    cache: new MemoryBuildCache(),
    useCache: true,
    executor: () => {
      throw new Error('no executor in this test');
    },
    compression: 'gzip',
    family: 'oci',
    epoch: 100,
    now: new Date(0),
    platform: { os: 'linux', architecture: 'amd64' },
    events: createBuildEmitter(),
    network: 'host',
    ...overrides,
  };
}

test('buildTimestamp: SOURCE_DATE_EPOCH when given, else the build time', () => {
  assert.equal(buildTimestamp({ epoch: 0, now: new Date(5000) }), '1970-01-01T00:00:00Z');
  assert.equal(buildTimestamp({ epoch: undefined, now: new Date(5000) }), '1970-01-01T00:00:05.000Z');
});

test('entries and rootfs steps append layers, hit the cache, and keep the materialised rootfs current', async () => {
  const s = settings();
  const stage = Stage.scratch(s);
  assert.equal(await stage.entriesStep('COPY f /f', ['h'], async () => [{ path: 'f', type: 'file', content: 'one' }]), false);
  assert.equal(stage.layers.length, 1);
  // A rootfs step sees the COPY's file, and its own change is the next layer.
  assert.equal(
    await stage.rootfsStep('RUN edit', ['k'], async (rootfs) => {
      assert.equal(await readFile(join(rootfs, 'f'), 'utf8'), 'one');
      await writeFile(join(rootfs, 'g'), 'two');
    }),
    false,
  );
  assert.equal(stage.layers.length, 2);
  assert.equal(await stage.readFile('/g'), 'two');
  const view = await stage.materialise();
  await stage.dropView();
  assert.equal(existsSync(view.dir), false);

  const again = Stage.scratch(s);
  assert.equal(await again.entriesStep('COPY f /f', ['h'], async () => assert.fail('cached')), true);
  assert.equal(await again.rootfsStep('RUN edit', ['k'], async () => assert.fail('cached')), true);
  assert.deepEqual(again.layers, stage.layers);
  assert.deepEqual(again.config.rootfs.diff_ids, stage.config.rootfs.diff_ids);
});

test('a step that changes nothing records an empty layer; a failing mutation drops the rootfs', async () => {
  const stage = Stage.scratch(settings());
  await stage.rootfsStep('RUN nothing', [], async () => undefined);
  assert.equal(stage.layers.length, 0);
  assert.equal(stage.config.history!.at(-1)!.empty_layer, true);
  const view = await stage.materialise();
  await assert.rejects(stage.rootfsStep('RUN fail', [], async (root) => {
    await mkdir(join(root, 'half'));
    throw new Error('boom');
  }), /boom/);
  assert.equal(existsSync(view.dir), false);
});

test('meta steps record history and extend the key; fork copies state but not the rootfs', () => {
  const stage = Stage.scratch(settings({ historyComment: 'c' }));
  const before = stage.key;
  stage.meta('ENV A=1', (c) => void (c.Env = ['A=1']));
  assert.notEqual(stage.key, before);
  assert.deepEqual(stage.config.history, [{ created: '1970-01-01T00:01:40Z', created_by: 'ENV A=1', comment: 'c', empty_layer: true }]);
  const child = stage.fork();
  child.meta('ENV B=2', (c) => void (c.Env = [...(c.Env ?? []), 'B=2']));
  assert.deepEqual(stage.container.Env, ['A=1']);
  assert.deepEqual(child.container.Env, ['A=1', 'B=2']);
});

test('settleTimestamps reuses the first build\'s time for an identical rebuild', async () => {
  const s = settings({ epoch: undefined, now: new Date(1000) });
  const first = Stage.scratch(s);
  first.meta('LABEL a=b', () => undefined);
  await first.settleTimestamps();
  const second = Stage.scratch({ ...s, now: new Date(999_000) });
  second.meta('LABEL a=b', () => undefined);
  await second.settleTimestamps();
  assert.equal(second.config.created, first.config.created);
  assert.deepEqual(second.config.history, first.config.history);
});
