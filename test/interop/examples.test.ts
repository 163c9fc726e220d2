// CI runs every example: examples/quickstart.ts (the README's), examples/hello (Dockerfile, static files, Node only), the scripted
// assembly (fluent ImageBuilder), and examples/busybox-run (RUN over a busybox-static base).
// Each result is checked with umoci or by running it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { spawnCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';
import { tempDir } from '../helpers/tmp.js';

const exec = promisify(execFile);
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

test('examples/quickstart.ts (the README example) gives the same digest in two stores', async (t) => {
  const dir = await tempDir(t);
  const run = async (store: string) =>
    (await exec(process.execPath, ['--import', 'tsx', join(examples, 'quickstart.ts'), join(dir, store)], { env: { ...process.env, SOURCE_DATE_EPOCH: '0' } })).stdout.trim();
  const first = await run('a');
  assert.match(first, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await run('b'), first);
  const listed = await spawnCli(['images', '--format', 'json'], { env: { OCI_KIT_STORE: join(dir, 'a') } });
  assert.match(listed.stdout, /hello/);
});

test('examples/hello: oci-kit build -t hello:latest examples/hello, then umoci unpacks the files', async (t) => {
  const umoci = requireTool('umoci');
  const store = join(await tempDir(t), 'store');
  const built = await spawnCli(['build', '-t', 'hello:latest', join(examples, 'hello')], { env: { OCI_KIT_STORE: store } });
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stderr, /naming to hello:latest done/);
  const bundle = join(await tempDir(t), 'bundle');
  await exec(umoci, ['unpack', '--image', `${store}:docker.io/library/hello:latest`, bundle]);
  assert.equal(await readFile(join(bundle, 'rootfs/srv/hello.txt'), 'utf8'), 'Hello from oci-kit!\n');
  assert.match(await readFile(join(bundle, 'rootfs/srv/site/index.html'), 'utf8'), /Hello from a scratch image/);
  const images = await spawnCli(['images'], { env: { OCI_KIT_STORE: store } });
  assert.match(images.stdout, /^hello +latest /m);
});

test('examples/scripted-assembly.ts builds and tags an image that umoci reads', async (t) => {
  const umoci = requireTool('umoci');
  const store = join(await tempDir(t), 'store');
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', join(examples, 'scripted-assembly.ts'), store]);
  assert.match(stdout, /^image: +docker\.io\/library\/scripted:latest$/m);
  assert.match(stdout, /^layers: +4$/m);
  const bundle = join(await tempDir(t), 'bundle');
  await exec(umoci, ['unpack', '--image', `${store}:docker.io/library/scripted:latest`, bundle]);
  assert.equal(await readFile(join(bundle, 'rootfs/app/data/seed.txt'), 'utf8'), 'seed\n');
  const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { process: { args: string[]; user: { uid: number } } };
  assert.deepEqual(config.process.args, ['/app/server', '--port', '8080']);
  assert.equal(config.process.user.uid, 1000);
});

test('examples/busybox-run/run.sh builds with RUN, runs and commits', async (t) => {
  requireTool('bwrap', 'bubblewrap');
  requireTool('busybox', 'busybox-static');
  const store = join(await tempDir(t), 'store');
  const { stdout } = await exec('bash', [join(examples, 'busybox-run', 'run.sh')], { env: { ...process.env, OCI_KIT_STORE: store }, maxBuffer: 16 << 20 });
  assert.match(stdout, /^hi from a RUN step$/m);
  assert.match(stdout, /^note$/m);
});
