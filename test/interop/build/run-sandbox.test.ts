// The real sandboxes (bubblewrap and util-linux unshare) over a busybox rootfs: what the command
// sees, what it leaves behind, ownership, users, networks, mounts, exit codes and aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import { BwrapExecutor } from '../../../src/build/executor/bwrap.js';
import { UnshareExecutor } from '../../../src/build/executor/unshare.js';
import { busyboxApplets, createBusyboxImage, findBusybox } from '../../../src/build/executor/busybox-image.js';
import type { Executor, RunRequest } from '../../../src/build/executor/types.js';
import { extractLayers } from '../../../src/layer/extract.js';
import { snapshotTree, diffTree } from '../../../src/layer/diff.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { capture } from '../../helpers/cli.js';

const store = new MemoryStore();
let busyboxLayers: Awaited<ReturnType<typeof createBusyboxImage>>['manifest']['layers'] | undefined;

/** A fresh busybox rootfs in a temp dir (mode 0755 so that other users can reach it too). */
async function busyboxRootfs(t: TestContext): Promise<string> {
  requireTool('busybox', 'busybox-static');
  busyboxLayers ??= (await createBusyboxImage(store)).manifest.layers;
  const dir = await tempDir(t, 'oci-kit-sandbox-');
  chmodSync(dir, 0o755);
  const rootfs = join(dir, 'rootfs');
  mkdirSync(rootfs);
  await extractLayers(store, busyboxLayers, rootfs);
  return rootfs;
}

async function sh(executor: Executor, rootfs: string, script: string, extra: Partial<RunRequest> = {}) {
  const stdout = capture();
  const stderr = capture();
  const { exitCode } = await executor.run({ rootfs, args: ['/bin/sh', '-c', script], env: [], cwd: '/', network: 'host', stdout, stderr, ...extra });
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

const sandboxes: [string, () => Executor, string][] = [
  ['bwrap', () => new BwrapExecutor(), 'bubblewrap'],
  ['unshare', () => new UnshareExecutor(), 'util-linux'],
];

for (const [name, make, pkg] of sandboxes) {
  test(`${name}: environment, working directory, hostname, /proc, /dev and exit code`, async (t) => {
    requireTool(name, pkg);
    const rootfs = await busyboxRootfs(t);
    const result = await sh(make(), rootfs, 'echo "$GREETING|$HOME|$PATH|$(pwd)|$(hostname)|$$"; ls /dev/null /proc/self/status >/dev/null && echo ok; exit 7', {
      env: ['GREETING=hi there'],
      cwd: '/srv/work',
    });
    assert.equal(result.exitCode, 7, result.stderr);
    // a new pid namespace: the command is pid 1 (unshare) or 2 (bwrap's reaper is pid 1, like docker run --init)
    assert.equal(result.stdout, `hi there|/root|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|/srv/work|oci-kit|${name === 'bwrap' ? 2 : 1}\nok\n`);
    assert.ok(statSync(join(rootfs, 'srv', 'work')).isDirectory(), 'a missing working directory is created, like runc does');
  });

  test(`${name}: the run leaves only the command's changes (no hosts, resolv.conf or mount points)`, async (t) => {
    requireTool(name, pkg);
    const rootfs = await busyboxRootfs(t);
    const before = snapshotTree(rootfs, { xattrs: false });
    const result = await sh(make(), rootfs, 'cat /etc/hosts | grep -q localhost && test -f /etc/resolv.conf && echo changed > /made && mkdir /tmp/d', {
      mounts: [{ type: 'tmpfs', target: '/scratch/space' }],
    });
    assert.equal(result.exitCode, 0, result.stderr);
    const changes = diffTree(before, rootfs, { xattrs: false }).map((e) => e.path);
    assert.deepEqual(changes.sort(), ['made', 'tmp', 'tmp/d']);
    assert.ok(!existsSync(join(rootfs, 'etc', 'hosts')) && !existsSync(join(rootfs, 'scratch')));
  });

  test(`${name}: files the root command creates or chowns keep their owners on disk`, async (t) => {
    requireTool(name, pkg);
    const rootfs = await busyboxRootfs(t);
    const result = await sh(make(), rootfs, 'touch /owned-by-root /chowned && chown 1234:5678 /chowned && mkdir -m 0750 /private');
    assert.equal(result.exitCode, 0, result.stderr);
    const root = lstatSync(join(rootfs, 'owned-by-root'));
    assert.deepEqual([root.uid, root.gid], [0, 0]);
    const chowned = lstatSync(join(rootfs, 'chowned'));
    assert.deepEqual([chowned.uid, chowned.gid], [1234, 5678]);
    assert.equal(lstatSync(join(rootfs, 'private')).mode & 0o7777, 0o750);
  });

  test(`${name}: USER nobody runs as 65534, its files are its own, and root's files are protected`, async (t) => {
    requireTool(name, pkg);
    const rootfs = await busyboxRootfs(t);
    const result = await sh(make(), rootfs, 'id -u; id -g; touch /tmp/mine; touch /etc/not-mine 2>/dev/null || echo denied', { user: 'nobody' });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, '65534\n65534\ndenied\n');
    const mine = lstatSync(join(rootfs, 'tmp', 'mine'));
    assert.deepEqual([mine.uid, mine.gid], [65534, 65534]);
    const numeric = await sh(make(), rootfs, 'id -u; id -g', { user: '4321:99' });
    assert.equal(numeric.stdout, '4321\n99\n');
  });

  test(`${name}: network none has only loopback; host network sees the host's interfaces`, async (t) => {
    requireTool(name, pkg);
    const rootfs = await busyboxRootfs(t);
    const none = await sh(make(), rootfs, 'ls /sys/class/net 2>/dev/null || cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "', { network: 'none' });
    assert.equal(none.stdout.trim(), 'lo');
    const hostInterfaces = readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).filter((l) => l.trim() !== '').length;
    const host = await sh(make(), rootfs, 'cat /proc/net/dev | tail -n +3 | wc -l');
    assert.equal(Number(host.stdout.trim()), hostInterfaces);
  });

  test(`${name}: stdin, bind, read-only bind and cache mounts`, async (t) => {
    requireTool(name, pkg);
    const rootfs = await busyboxRootfs(t);
    const dir = await tempDir(t);
    writeFileSync(join(dir, 'input.txt'), 'from the host\n');
    const cache = join(dir, 'cache');
    const result = await sh(make(), rootfs, 'cat; cat /in/input.txt; touch /in/x 2>/dev/null || echo ro; echo cached > /var/cache/thing/file', {
      stdin: Readable.from(['piped\n']),
      mounts: [
        { type: 'bind', source: dir, target: '/in', readonly: true },
        { type: 'cache', source: cache, target: '/var/cache/thing' },
      ],
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, 'piped\nfrom the host\nro\n');
    assert.equal(readFileSync(join(cache, 'file'), 'utf8'), 'cached\n');
    assert.deepEqual(readdirSync(join(rootfs, 'var')), [], 'mount contents stay out of the rootfs');
  });

  test(`${name}: a signal-killed command reports 128+N; abort kills everything`, async (t) => {
    requireTool(name, pkg);
    const rootfs = await busyboxRootfs(t);
    // Under unshare the command is its namespace's init, which (as in Docker) ignores signals it has no handler for.
    const killed = await sh(make(), rootfs, name === 'bwrap' ? 'kill -9 $$' : 'trap "exit 9" TERM; kill -TERM $$; sleep 1');
    assert.equal(killed.exitCode, name === 'bwrap' ? 137 : 9);
    const controller = new AbortController();
    const stdout = capture();
    const running = make().run({ rootfs, args: ['/bin/sh', '-c', 'sleep 100 & echo started; wait'], env: [], cwd: '/', network: 'host', stdout, signal: controller.signal });
    await new Promise<void>((resolve) => stdout.once('data', () => resolve()));
    controller.abort(new Error('cancelled'));
    await assert.rejects(running, /cancelled/);
    assert.ok(!existsSync(join(rootfs, 'proc', 'self')), 'proc is unmounted and its mount point removed');
  });

  test(`${name}: symlinked /dev, /proc and /etc/hosts in a hostile image never lead the mounts onto the host`, async (t) => {
    requireTool(name, pkg);
    const rootfs = await busyboxRootfs(t);
    const outside = await tempDir(t, 'oci-kit-host-');
    for (const dir of ['dev', 'proc']) {
      rmSync(join(rootfs, dir), { recursive: true });
      symlinkSync(join(outside, dir), join(rootfs, dir)); // absolute: a host path, if followed on the host
    }
    symlinkSync(join(outside, 'hosts'), join(rootfs, 'etc', 'hosts'));
    const result = await sh(make(), rootfs, 'test -c /dev/null && grep -q localhost /etc/hosts && test -d /proc/self && echo fine');
    assert.equal(result.stdout, 'fine\n', result.stderr);
    assert.deepEqual(readdirSync(outside), [], 'nothing was created on the host');
    assert.ok(lstatSync(join(rootfs, 'dev')).isSymbolicLink(), 'the image\'s own links are left alone');
  });

  test(`${name}: an unknown USER fails before anything runs`, async (t) => {
    requireTool(name, pkg);
    const rootfs = await busyboxRootfs(t);
    await assert.rejects(sh(make(), rootfs, 'true', { user: 'ghost' }), /unable to find user ghost/);
  });
}

test('bwrap: a non-root USER reaches a rootfs below a root-only (0700) directory', async (t) => {
  requireTool('bwrap', 'bubblewrap');
  const rootfs = await busyboxRootfs(t);
  chmodSync(join(rootfs, '..'), 0o700);
  const result = await sh(new BwrapExecutor(), rootfs, 'id -u && touch /tmp/reached', { user: 'nobody' });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(lstatSync(join(rootfs, 'tmp', 'reached')).uid, 65534);
});

test('the busybox base image is reproducible and links every applet', async () => {
  requireTool('busybox', 'busybox-static');
  const first = await createBusyboxImage(new MemoryStore(), { tag: null });
  const second = await createBusyboxImage(new MemoryStore(), { tag: null });
  assert.equal(first.descriptor.digest, second.descriptor.digest);
  const applets = busyboxApplets(findBusybox());
  for (const needed of ['sh', 'ls', 'echo', 'cat', 'mkdir', 'rm', 'touch', 'id', 'chown']) assert.ok(applets.includes(needed), needed);
});

test('rootless: as an ordinary user, both sandboxes run with the image user mapped onto the caller', async (t) => {
  const setpriv = requireTool('setpriv', 'util-linux');
  requireTool('bwrap', 'bubblewrap');
  const rootfs = await busyboxRootfs(t);
  const dir = join(rootfs, '..');
  const script = join(dir, 'rootless.mts');
  const executorModule = new URL('../../../src/build/executor/index.js', import.meta.url).pathname;
  writeFileSync(
    script,
    `import { BwrapExecutor, UnshareExecutor } from ${JSON.stringify(executorModule)};
for (const executor of [new BwrapExecutor(), new UnshareExecutor()]) {
  const { exitCode } = await executor.run({ rootfs: ${JSON.stringify(rootfs)}, args: ['/bin/sh', '-c', 'id -u; touch /made-by-' + executor.constructor.name], env: [], cwd: '/', network: 'none', stdout: process.stdout, stderr: process.stderr });
  console.log('exit', exitCode);
}
`,
  );
  execFileSync('chown', ['-R', '4242:4242', dir]);
  const repo = new URL('../../../', import.meta.url).pathname;
  const out = execFileSync(setpriv, ['--reuid=4242', '--regid=4242', '--clear-groups', process.execPath, '--import', 'tsx', script], {
    cwd: repo,
    env: { PATH: process.env.PATH, HOME: dir },
    encoding: 'utf8',
  });
  assert.equal(out, '0\nexit 0\n0\nexit 0\n');
  for (const name of ['BwrapExecutor', 'UnshareExecutor']) assert.equal(lstatSync(join(rootfs, `made-by-${name}`)).uid, 4242, name);
});
