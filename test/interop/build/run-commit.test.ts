// `oci-kit run --commit` end to end: the committed image, unpacked by umoci and run by runc (real
// OCI tooling, no oci-kit code on that side), shows the change the command made, with the owner
// and history it should have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OciLayout } from '../../../src/store/layout.js';
import { createBusyboxImage } from '../../../src/build/executor/busybox-image.js';
import { spawnCli } from '../../helpers/cli.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';

const exec = promisify(execFile);

test('run --commit, then umoci unpack + runc run shows the committed change', async (t) => {
  const umoci = requireTool('umoci');
  const runc = requireTool('runc');
  requireTool('bwrap', 'bubblewrap');
  requireTool('busybox', 'busybox-static');
  const base = await tempDir(t);
  const store = join(base, 'store');
  await createBusyboxImage(await OciLayout.open(store, { create: true }));

  const run = await spawnCli(
    ['--store', store, 'run', '--commit', 'greeted:1', '-m', 'say hello', '-e', 'WHO=runc', 'busybox:local', 'sh', '-c', 'echo "hello $WHO" > /greeting && chown 1234:4321 /greeting && echo done'],
    { env: { OCI_KIT_SANDBOX: 'bwrap' } },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'done\n');
  assert.match(run.stderr, /Committed greeted:1 sha256:[0-9a-f]{64}/);

  const ref = `${store}:docker.io/library/greeted:1`;
  const info = JSON.parse((await exec(umoci, ['stat', '--json', '--image', ref])).stdout) as { history: { created_by?: string; comment?: string }[] };
  assert.equal(info.history.at(-1)?.created_by, 'sh -c echo "hello $WHO" > /greeting && chown 1234:4321 /greeting && echo done');
  assert.equal(info.history.at(-1)?.comment, 'say hello');

  const bundle = join(base, 'bundle');
  await exec(umoci, ['unpack', '--image', ref, bundle]);
  const owner = await stat(join(bundle, 'rootfs', 'greeting'));
  assert.deepEqual([owner.uid, owner.gid], [1234, 4321]);
  const configPath = join(bundle, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { process: { terminal: boolean; args: string[] } };
  config.process.terminal = false;
  config.process.args = ['cat', '/greeting'];
  await writeFile(configPath, JSON.stringify(config));
  const id = `oci-kit-run-commit-${process.pid}`;
  const result = await exec(runc, ['run', '--bundle', bundle, id]).finally(() => exec(runc, ['delete', '--force', id]).catch(() => {}));
  assert.equal(result.stdout, 'hello runc\n');
});

test('run exits with the command\'s code and commits nothing when it fails', async (t) => {
  requireTool('bwrap', 'bubblewrap');
  requireTool('busybox', 'busybox-static');
  const base = await tempDir(t);
  const store = join(base, 'store');
  await createBusyboxImage(await OciLayout.open(store, { create: true }));
  const run = await spawnCli(['--store', store, 'run', '--commit', 'broken:1', 'busybox:local', 'sh', '-c', 'touch /x; exit 3']);
  assert.equal(run.code, 3);
  assert.match(run.stderr, /Not committed: the command exited with code 3/);
  const images = await spawnCli(['--store', store, 'images']);
  assert.doesNotMatch(images.stdout, /broken/);
  const piped = await spawnCli(['--store', store, 'run', '-i', '-u', 'nobody', '-w', '/tmp', 'busybox:local', 'sh', '-c', 'id -u; pwd; cat'], { input: 'from stdin\n' });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout, '65534\n/tmp\nfrom stdin\n');
});
