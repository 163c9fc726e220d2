import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { commitHistory, containerCommand, mergeEnv, runContainer } from '../../../../src/build/executor/container.js';
import type { Executor, RunRequest } from '../../../../src/build/executor/types.js';
import { MemoryStore } from '../../../../src/store/memory.js';
import { createLayer } from '../../../../src/layer/create.js';
import { extractLayers } from '../../../../src/layer/extract.js';
import { createConfig } from '../../../../src/image/config.js';
import { saveImage } from '../../../../src/image/save.js';
import { loadImage } from '../../../../src/image/load.js';
import type { ContainerConfig } from '../../../../src/image/types.js';
import { isOciKitError } from '../../../../src/errors.js';
import { tempDir } from '../../../helpers/tmp.js';

/** A store holding `base:1`: /etc/passwd, /etc/old (to delete), /data/keep. */
async function baseStore(config: ContainerConfig = { Env: ['PATH=/bin', 'A=image'], Cmd: ['sh'], WorkingDir: '/data', User: 'app' }) {
  const store = new MemoryStore();
  const layer = await createLayer(
    {
      entries: [
        { path: 'etc', type: 'dir' },
        { path: 'etc/passwd', type: 'file', content: 'root:x:0:0::/root:/bin/sh\napp:x:10:10::/data:/bin/sh\n' },
        { path: 'etc/old', type: 'file', content: 'remove me' },
        { path: 'data', type: 'dir' },
        { path: 'data/keep', type: 'file', content: 'kept' },
      ],
    },
    { store, mtime: 1000 },
  );
  const image = await saveImage(store, {
    config: createConfig({ created: '2020-01-01T00:00:00Z', config, diffIds: [layer.diffId], history: [{ created_by: 'base layer' }] }),
    layers: [layer.descriptor],
  });
  await store.setTag('docker.io/library/base:1', image.descriptor);
  return store;
}

/** An executor that records the request and changes the rootfs like a command would. */
function scriptedExecutor(exitCode: number, change: (rootfs: string) => void = () => {}) {
  const requests: RunRequest[] = [];
  const executor: Executor = {
    async run(req) {
      requests.push(req);
      change(req.rootfs);
      req.stdout?.write('out\n');
      return { exitCode };
    },
  };
  return { executor, requests };
}

test('containerCommand follows docker run: entrypoint + (CMD args or the image Cmd); --entrypoint drops the image Cmd', () => {
  const config = { Entrypoint: ['/entry'], Cmd: ['default'] };
  assert.deepEqual(containerCommand(config, {}), ['/entry', 'default']);
  assert.deepEqual(containerCommand(config, { cmd: ['x', 'y'] }), ['/entry', 'x', 'y']);
  assert.deepEqual(containerCommand(config, { cmd: [] }), ['/entry', 'default']);
  assert.deepEqual(containerCommand(config, { entrypoint: ['/other'] }), ['/other']);
  assert.deepEqual(containerCommand(config, { entrypoint: [], cmd: ['ls'] }), ['ls']);
  assert.deepEqual(containerCommand(undefined, {}), []);
});

test('mergeEnv overrides per key and keeps first-seen order', () => {
  assert.deepEqual(mergeEnv(['PATH=/bin', 'A=1', 'B=2'], ['A=3', 'C=4']), ['PATH=/bin', 'A=3', 'B=2', 'C=4']);
});

test('commitHistory records the command like docker commit', () => {
  assert.deepEqual(commitHistory(['sh', '-c', 'echo hi'], { message: 'msg', author: 'me' }, 'T'), {
    created: 'T',
    created_by: 'sh -c echo hi',
    author: 'me',
    comment: 'msg',
  });
});

test('runContainer passes the image config, overrides and the extracted rootfs to the executor', async () => {
  const store = await baseStore();
  const { executor, requests } = scriptedExecutor(7, (rootfs) => {
    assert.equal(readFileSync(join(rootfs, 'data', 'keep'), 'utf8'), 'kept');
  });
  const stdout = new PassThrough();
  const result = await runContainer(store, 'base:1', { cmd: ['ls', '-l'], env: ['A=cli', 'B=2'], network: 'none', stdout, executor });
  assert.equal(result.exitCode, 7);
  assert.deepEqual(result.args, ['ls', '-l']);
  assert.equal(result.committed, undefined);
  const req = requests[0]!;
  assert.deepEqual(req.env, ['PATH=/bin', 'A=cli', 'B=2']);
  assert.equal(req.cwd, '/data');
  assert.equal(req.user, 'app');
  assert.equal(req.network, 'none');
  assert.equal(stdout.read()?.toString(), 'out\n');
  assert.ok(!existsSync(req.rootfs), 'the rootfs is removed afterwards');
  const explicit = scriptedExecutor(0);
  await runContainer(store, 'base:1', { workdir: '/w', user: '0:0', executor: explicit.executor });
  assert.deepEqual([explicit.requests[0]!.cwd, explicit.requests[0]!.user, explicit.requests[0]!.args, explicit.requests[0]!.network], ['/w', '0:0', ['sh'], 'host']);
});

test('commit: the changes become one layer on top, history records the command, the tag is set', async (t) => {
  const store = await baseStore();
  const { executor } = scriptedExecutor(0, (rootfs) => {
    writeFileSync(join(rootfs, 'greeting'), 'hello\n');
    rmSync(join(rootfs, 'etc', 'old'));
    mkdirSync(join(rootfs, 'data', 'new'));
  });
  const result = await runContainer(store, 'base:1', { cmd: ['sh', '-c', 'make changes'], executor, commit: { tag: 'committed:v2', message: 'why', xattrs: false } });
  assert.equal(result.tag, 'docker.io/library/committed:v2');
  const image = await loadImage(store, 'committed:v2');
  assert.equal(image.descriptor.digest, result.committed?.descriptor.digest);
  assert.equal(image.manifest.layers.length, 2);
  assert.equal(image.config.rootfs.diff_ids.length, 2);
  assert.deepEqual(image.config.config, { Env: ['PATH=/bin', 'A=image'], Cmd: ['sh'], WorkingDir: '/data', User: 'app' }, 'the image config is kept');
  const last = image.config.history?.at(-1);
  assert.equal(last?.created_by, 'sh -c make changes');
  assert.equal(last?.comment, 'why');
  // applying both layers gives the changed tree (the whiteout removes /etc/old)
  const dir = await tempDir(t);
  await extractLayers(store, image.manifest.layers, dir);
  assert.equal(readFileSync(join(dir, 'greeting'), 'utf8'), 'hello\n');
  assert.ok(!existsSync(join(dir, 'etc', 'old')));
  assert.ok(statSync(join(dir, 'data', 'new')).isDirectory());
  assert.equal(readFileSync(join(dir, 'data', 'keep'), 'utf8'), 'kept');
});

test('a failing command commits nothing unless asked to', async () => {
  const store = await baseStore();
  const failing = scriptedExecutor(3, (rootfs) => writeFileSync(join(rootfs, 'partial'), 'x'));
  const result = await runContainer(store, 'base:1', { executor: failing.executor, commit: { tag: 'never:1', xattrs: false } });
  assert.equal(result.exitCode, 3);
  assert.equal(result.committed, undefined);
  assert.deepEqual((await store.listTags()).map((tag) => tag.name), ['docker.io/library/base:1']);
  const forced = await runContainer(store, 'base:1', { executor: failing.executor, commit: { tag: 'forced:1', onFailure: true, xattrs: false } });
  assert.ok(forced.committed);
});

test('--keep leaves the rootfs in an empty directory and refuses a non-empty one', async (t) => {
  const store = await baseStore();
  const dir = await tempDir(t);
  const keep = join(dir, 'kept-rootfs');
  const { executor } = scriptedExecutor(0, (rootfs) => writeFileSync(join(rootfs, 'made'), ''));
  const result = await runContainer(store, 'base:1', { executor, keep });
  assert.equal(result.rootfs, keep);
  assert.deepEqual(readdirSync(keep).sort(), ['data', 'etc', 'made']);
  await assert.rejects(runContainer(store, 'base:1', { executor, keep }), (err) => isOciKitError(err, 'ERR_SANDBOX_SETUP'));
});

test('no command at all and unknown images are clear errors, before anything runs', async () => {
  const store = await baseStore({});
  const { executor, requests } = scriptedExecutor(0);
  await assert.rejects(runContainer(store, 'base:1', { executor }), (err) => isOciKitError(err, 'ERR_NO_COMMAND'));
  assert.equal(requests.length, 0);
  const shell = await runContainer(store, 'base:1', { executor, defaultCommand: ['/bin/sh'] });
  assert.deepEqual(shell.args, ['/bin/sh']);
  requests.length = 0;
  await assert.rejects(runContainer(store, 'missing:1', { executor }), (err) => isOciKitError(err, 'ERR_NOT_FOUND'));
  assert.equal(requests.length, 0);
});
