import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ImageBuilder } from '../../../src/build/builder.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { tempDir } from '../../helpers/tmp.js';
import type { ImageStore } from '../../../src/store/blob-store.js';
import type { Descriptor } from '../../../src/image/types.js';

/** Member names of a gzip layer, from the tar headers. */
async function layerMembers(store: ImageStore, layer: Descriptor): Promise<Map<string, { mode: number; uid: number; size: number; body: string }>> {
  const tar = gunzipSync(await store.get(layer.digest));
  const out = new Map<string, { mode: number; uid: number; size: number; body: string }>();
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const body = tar.subarray(offset + 512, offset + 512 + size).toString('utf8');
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(body);
      paxPath = m?.[1];
    } else {
      const name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      paxPath = undefined;
      out.set(name, { mode: Number.parseInt(field(100, 8).trim(), 8), uid: Number.parseInt(field(108, 8).trim(), 8), size, body });
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

test('scratch + addFiles + metadata builds a one-layer image with Docker-style history', async () => {
  const store = new MemoryStore();
  const image = await ImageBuilder.scratch({ platform: 'linux/amd64' })
    .env('A', '1')
    .addFiles({ '/etc/motd': 'hello\n', 'bin/tool': 'x' }, { chmod: '0755' })
    .label('org.example', 'yes')
    .expose(80, '53/udp')
    .volume('/data')
    .workdir('/srv')
    .user('1000')
    .stopSignal('SIGTERM')
    .entrypoint(['/bin/tool'])
    .cmd(['--help'])
    .annotation('org.opencontainers.image.source', 'test')
    .build({ store, sourceDateEpoch: 1700000000 });
  const config = image.config!;
  assert.equal(config.architecture, 'amd64');
  assert.deepEqual(config.config?.Env, ['A=1']);
  assert.deepEqual(config.config?.Entrypoint, ['/bin/tool']);
  assert.deepEqual(config.config?.Cmd, ['--help']);
  assert.deepEqual(config.config?.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(config.config?.Volumes, { '/data': {} });
  assert.equal(config.config?.WorkingDir, '/srv');
  assert.equal(config.config?.User, '1000');
  assert.equal(config.config?.StopSignal, 'SIGTERM');
  assert.equal(config.created, '2023-11-14T22:13:20Z');
  assert.equal(image.manifest!.layers.length, 2, 'addFiles and the WORKDIR mkdir');
  assert.equal(config.rootfs.diff_ids.length, 2);
  const history = config.history!;
  assert.equal(history.length, 10);
  assert.equal(history.filter((h) => !h.empty_layer).length, 2);
  assert.match(history[0]!.created_by!, /^ENV A=1$/);
  assert.equal(image.manifest!.annotations?.['org.opencontainers.image.source'], 'test');
  const members = await layerMembers(store, image.manifest!.layers[0]!);
  assert.equal(members.get('etc/motd')?.body, 'hello\n');
  assert.equal(members.get('bin/tool')?.mode, 0o755, 'relative path resolved against WORKDIR (/), chmod applied');
  assert.ok(members.has('etc/'), 'the parent directory is in the layer');
});

test('an entrypoint clears the inherited CMD; shell-form commands use SHELL', async () => {
  const store = new MemoryStore();
  const base = await ImageBuilder.scratch().cmd(['a']).build({ store });
  const child = await ImageBuilder.from(base).shell(['/bin/bash', '-c']).entrypoint('exec x').build({ store });
  assert.deepEqual(child.config!.config?.Entrypoint, ['/bin/bash', '-c', 'exec x']);
  assert.equal(child.config!.config?.Cmd, null);
  assert.equal(child.config!.history!.length, 3);
});

test('copy reads from the context; a rebuild hits the cache and a changed file invalidates it', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'app'));
  await writeFile(join(dir, 'app', 'a.txt'), 'A');
  await writeFile(join(dir, 'app', 'b.txt'), 'B');
  await writeFile(join(dir, '.dockerignore'), 'app/b.txt\n');
  const store = new MemoryStore();
  const make = () => ImageBuilder.scratch({ context: dir }).copy('app', '/srv/').copy('app/a.txt', '/one');
  const first = make();
  const done: boolean[] = [];
  first.events.on('step-done', (s) => done.push(s.cached));
  const image1 = await first.build({ store, sourceDateEpoch: 1 });
  assert.deepEqual(done, [false, false]);
  const members = await layerMembers(store, image1.manifest!.layers[0]!);
  assert.ok(members.has('srv/a.txt'));
  assert.ok(!members.has('srv/b.txt'), '.dockerignore excludes b.txt');
  const second = make();
  const done2: boolean[] = [];
  second.events.on('step-done', (s) => done2.push(s.cached));
  const image2 = await second.build({ store, sourceDateEpoch: 1 });
  assert.deepEqual(done2, [true, true]);
  assert.equal(image2.digest, image1.digest);
  await writeFile(join(dir, 'app', 'a.txt'), 'changed');
  const third = make();
  const done3: boolean[] = [];
  third.events.on('step-done', (s) => done3.push(s.cached));
  const image3 = await third.build({ store, sourceDateEpoch: 1 });
  assert.deepEqual(done3, [false, false]);
  assert.notEqual(image3.digest, image1.digest);
});

test('a failing step names the step and tags nothing', async (t) => {
  const dir = await tempDir(t);
  const store = new MemoryStore();
  await assert.rejects(
    ImageBuilder.scratch({ context: dir }).copy('missing.txt', '/').build({ store }),
    (err: Error & { code?: string }) => err.code === 'ERR_BUILD_STEP' && /step 1: COPY missing.txt \//.test(err.message),
  );
  assert.deepEqual(await store.listTags(), []);
});

test('copy from another image, changes(), run() with an executor, healthcheck and onbuild', async (t) => {
  const store = new MemoryStore();
  const source = await ImageBuilder.scratch().addFiles({ '/opt/tool': 'tool' }).build({ store });
  const requests: { args: string[]; env: string[] }[] = [];
  const executor = {
    async run(req: { rootfs: string; args: string[]; env: string[] }) {
      requests.push({ args: req.args, env: req.env });
      await writeFile(join(req.rootfs, 'ran'), 'yes');
      return { exitCode: 0 };
    },
  };
  const image = await ImageBuilder.scratch()
    .env('A', '1')
    .copy('/opt/tool', '/usr/bin/tool', { from: source })
    .changes(async (root) => {
      await writeFile(join(root, 'changed'), 'by code');
    }, { key: 'v1' })
    .run('make it', { env: { EXTRA: 'x' } })
    .healthcheck(['check'], { interval: 2, retries: 3 })
    .onbuild('RUN echo child')
    .build({ store, executor, sourceDateEpoch: 0 });
  assert.deepEqual(requests, [{ args: ['/bin/sh', '-c', 'make it'], env: ['A=1', 'EXTRA=x'] }]);
  const layers = image.manifest!.layers;
  assert.equal(layers.length, 3);
  assert.equal((await layerMembers(store, layers[0]!)).get('usr/bin/tool')?.body, 'tool');
  assert.equal((await layerMembers(store, layers[1]!)).get('changed')?.body, 'by code');
  assert.equal((await layerMembers(store, layers[2]!)).get('ran')?.body, 'yes');
  assert.deepEqual(image.config!.config?.Healthcheck, { Test: ['CMD', 'check'], Interval: 2e9, Retries: 3 });
  assert.deepEqual(image.config!.config?.OnBuild, ['RUN echo child']);
  assert.match(image.config!.history!.find((h) => h.created_by?.startsWith('RUN'))!.created_by!, /^RUN \/bin\/sh -c make it$/);
});
