import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDockerfile } from '../../../src/build/dockerfile-build.js';
import type { Executor, RunRequest } from '../../../src/build/executor/types.js';
import { BuildContext } from '../../../src/build/context.js';
import { MemoryBuildCache } from '../../../src/build/cache.js';
import { cacheMountRoot, materializeBindSource, prepareCacheMount, removeView, resolveBindSource } from '../../../src/build/run-mounts.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { OciLayout } from '../../../src/store/layout.js';
import { tempDir } from '../../helpers/tmp.js';

/** Lists every file below a directory with its content, `/`-separated and sorted. */
async function listing(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(`${rel}/`, ...(await listing(join(dir, entry.name), `${rel}/`)));
    else out.push(`${rel}=${await readFile(join(dir, entry.name), 'utf8')}`);
  }
  return out;
}

/** Records, for every run, what each mount showed while the command ran. */
class MountRecorder implements Executor {
  readonly seen: Array<Record<string, string[]>> = [];
  async run(req: RunRequest): Promise<{ exitCode: number }> {
    const shown: Record<string, string[]> = {};
    for (const m of req.mounts ?? []) {
      if (m.type === 'tmpfs') continue;
      shown[m.target] = (await stat(m.source!)).isDirectory() ? await listing(m.source!) : [`=${await readFile(m.source!, 'utf8')}`];
    }
    this.seen.push(shown);
    return { exitCode: 0 };
  }
}

async function context(t: import('node:test').TestContext, files: Record<string, string>): Promise<string> {
  const dir = await tempDir(t);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

test('a cached RUN --mount=type=bind re-runs when a mounted file changes, and keys the source path', async (t) => {
  const dir = await context(t, { data: 'one', a: 'same', b: 'same', Dockerfile: 'FROM scratch\nRUN --mount=type=bind,target=/ctx cp /ctx/data /data\n' });
  const store = new MemoryStore();
  const executor = new MountRecorder();
  await buildDockerfile({ context: dir, store, executor, sourceDateEpoch: 1 });
  await buildDockerfile({ context: dir, store, executor, sourceDateEpoch: 1 });
  assert.equal(executor.seen.length, 1, 'an unchanged context is cached');
  await writeFile(join(dir, 'data'), 'two');
  await buildDockerfile({ context: dir, store, executor, sourceDateEpoch: 1 });
  assert.equal(executor.seen.length, 2, 'a changed mounted file re-runs the step');
  assert.ok(executor.seen[1]!['/ctx']!.includes('data=two'));

  // Same target, different source with identical content: still a different step.
  for (const source of ['a', 'b']) {
    await writeFile(join(dir, 'Dockerfile'), `FROM scratch\nRUN --mount=type=bind,source=${source},target=/m cat /m\n`);
    await buildDockerfile({ context: dir, store, executor, sourceDateEpoch: 1 });
  }
  assert.equal(executor.seen.length, 4);
  assert.deepEqual(executor.seen[3], { '/m': ['=same'] });
});

test('a bind mount shows the context without what .dockerignore excludes, and a rw mount never writes back', async (t) => {
  const dir = await context(t, {
    '.dockerignore': 'secret\nsub/skip\n',
    secret: 'hidden',
    keep: 'k',
    'sub/skip': 's',
    'sub/file': 'f',
    Dockerfile: 'FROM scratch\nRUN --mount=type=bind,target=/ctx true\n',
  });
  const executor = new MountRecorder();
  await buildDockerfile({ context: dir, store: new MemoryStore(), executor });
  const shown = executor.seen[0]!['/ctx']!;
  assert.ok(shown.includes('keep=k') && shown.includes('sub/file=f'));
  assert.ok(!shown.some((line) => line.startsWith('secret') || line.startsWith('sub/skip')), shown.join(', '));

  const ctx = new BuildContext(dir, ['secret']);
  const bind = await resolveBindSource(ctx, '.', new MemoryBuildCache());
  const rw = await materializeBindSource(bind, await tempDir(t), true);
  await writeFile(join(rw.path, 'keep'), 'changed');
  assert.equal(await readFile(join(dir, 'keep'), 'utf8'), 'k', 'writes to a rw mount stay in the view');
  await removeView(rw.cleanup);
  const ro = await materializeBindSource(bind, await tempDir(t), false);
  assert.equal((await stat(join(ro.path, 'keep'))).ino, (await stat(join(dir, 'keep'))).ino, 'a read-only view hardlinks');
  await removeView(ro.cleanup);
  await assert.rejects(lstat(ro.cleanup), { code: 'ENOENT' });
});

test('cache mounts live in the store, with the requested owner and mode, and refuse planted symlinks', async (t) => {
  const storeDir = await tempDir(t);
  const layout = await OciLayout.open(storeDir, { create: true });
  const root = cacheMountRoot(layout);
  assert.equal(root, join(storeDir, '.oci-kit', 'cache-mounts'));
  const dir = await prepareCacheMount(root, { id: 'apt', uid: '65534', gid: '65534', mode: '0700' });
  const stats = await lstat(dir.path);
  assert.ok(stats.isDirectory());
  assert.equal(stats.mode & 0o7777, 0o700);
  if (process.getuid?.() === 0) assert.deepEqual([stats.uid, stats.gid], [65534, 65534]);
  assert.equal((await lstat(root)).mode & 0o777, 0o700);
  await writeFile(join(dir.path, 'kept'), 'x');
  const again = await prepareCacheMount(root, { id: 'apt' });
  assert.equal(again.path, dir.path);
  assert.equal(await readFile(join(again.path, 'kept'), 'utf8'), 'x', 'the cache persists between RUNs');

  const defaults = await prepareCacheMount(root, { id: 'defaults' });
  assert.equal((await lstat(defaults.path)).mode & 0o7777, 0o755);

  // A symlink where the cache root should be is never followed.
  const elsewhere = await tempDir(t);
  const planted = join(await tempDir(t), 'cache-mounts');
  await symlink(elsewhere, planted);
  await assert.rejects(prepareCacheMount(planted, { id: 'x' }), { code: 'ERR_UNSAFE_CACHE_MOUNT' });
  assert.deepEqual(await readdir(elsewhere), []);
  // ... nor one in place of a cache directory.
  const name = (await prepareCacheMount(root, { id: 'victim' })).path;
  const { rm } = await import('node:fs/promises');
  await rm(name, { recursive: true });
  await symlink(elsewhere, name);
  await assert.rejects(prepareCacheMount(root, { id: 'victim' }), { code: 'ERR_UNSAFE_CACHE_MOUNT' });
  await assert.rejects(prepareCacheMount(root, { id: 'bad', mode: '999' }), { code: 'ERR_INVALID_MOUNT' });
});

test('cache mount sharing: private is a fresh directory each time, locked serialises users', async (t) => {
  const root = join(await tempDir(t), 'cache-mounts');
  await mkdir(root, { mode: 0o700 });
  await chmod(root, 0o700);
  const first = await prepareCacheMount(root, { id: 'p', sharing: 'private' });
  await writeFile(join(first.path, 'f'), 'x');
  const second = await prepareCacheMount(root, { id: 'p', sharing: 'private' });
  assert.notEqual(first.path, second.path);
  assert.deepEqual(await readdir(second.path), []);
  await first.release();
  await assert.rejects(lstat(first.path), { code: 'ENOENT' });
  await second.release();

  const order: string[] = [];
  const held = await prepareCacheMount(root, { id: 'l', sharing: 'locked' });
  const waiting = prepareCacheMount(root, { id: 'l', sharing: 'locked' }).then((dir) => {
    order.push('second');
    return dir;
  });
  await new Promise((resolve) => setImmediate(resolve));
  order.push('first released');
  await held.release();
  await (await waiting).release();
  assert.deepEqual(order, ['first released', 'second']);
});

test('RUN --mount=type=cache in a layout store uses the store folder, not /tmp', async (t) => {
  const storeDir = await tempDir(t);
  const store = await OciLayout.open(storeDir, { create: true });
  const dir = await context(t, { Dockerfile: 'FROM scratch\nRUN --mount=type=cache,target=/c,uid=65534,mode=0750 true\n' });
  const sources: string[] = [];
  const executor: Executor = {
    async run(req) {
      for (const m of req.mounts ?? []) if (m.type === 'cache') sources.push(m.source!);
      return { exitCode: 0 };
    },
  };
  await buildDockerfile({ context: dir, store, executor });
  assert.equal(sources.length, 1);
  assert.ok(sources[0]!.startsWith(join(storeDir, '.oci-kit', 'cache-mounts')), sources[0]);
  assert.equal((await lstat(sources[0]!)).mode & 0o7777, 0o750);
});
