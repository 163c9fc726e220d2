import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { commandLine, keyValues } from '../../../src/cli/commands/mutate.js';
import { loadImage } from '../../../src/image/index.js';
import { OciLayout } from '../../../src/store/layout.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { RegistryClient, pull, push } from '../../../src/registry/index.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeImage, storeImage } from '../archive/fixtures.js';

test('mutate sets config fields and annotations and replaces the tag', async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'store');
  await storeImage(await OciLayout.open(store, { create: true }), await makeImage(['m']), 'docker.io/library/mut:1');
  const r = await runCli(['--store', store, 'mutate', 'mut:1', '--entrypoint', '["/bin/app","-v"]', '--cmd', '', '--env', 'A=1', '-l', 'team=x', '-a', 'note=yes', '-u', 'app', '-w', '/srv', '--expose', '8080']);
  assert.equal(r.code, 0, r.stderr);
  const image = await loadImage(await OciLayout.open(store), 'mut:1');
  assert.deepEqual(image.config.config?.Entrypoint, ['/bin/app', '-v']);
  assert.equal(image.config.config?.Cmd, null);
  assert.deepEqual(image.config.config?.Labels, { team: 'x' });
  assert.equal(image.manifest.annotations?.note, 'yes');
  assert.equal((await runCli(['--store', store, 'mutate', 'mut:1'])).code, 2);
});

test('flag helpers: KEY=VALUE maps and command lines', () => {
  assert.deepEqual(keyValues(['a=1', 'b=', 'c'], 'label'), { a: '1', b: '', c: '' });
  assert.deepEqual(commandLine('echo hi there', 'cmd'), ['echo', 'hi', 'there']);
  assert.deepEqual(commandLine('["a b"]', 'cmd'), ['a b']);
  assert.equal(commandLine(' ', 'cmd'), null);
  assert.throws(() => commandLine('[1]', 'cmd'), /array of strings/);
});

test('mutate --remote pulls from the registry and pushes the result', async (t) => {
  const registry = await TestRegistry.start();
  const client = new RegistryClient({ dockerConfig: false });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  const dir = await tempDir(t);
  const ref = `${registry.host}/cli/app:1`;
  const source = new MemoryStore();
  await storeImage(source, await makeImage(['remote cli']), ref);
  await push(source, ref, undefined, { client });
  const r = await runCli(['--store', join(dir, 'store'), 'mutate', ref, '--remote', '--platform', 'linux/amd64', '--label', 'pushed=yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Pushed .*cli\/app:1/);
  const check = new MemoryStore();
  await pull(ref, check, { client, platform: 'linux/amd64' });
  assert.deepEqual((await loadImage(check, ref)).config.config?.Labels, { pushed: 'yes' });
});
