import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bwrapArguments, canReach, DOCKER_DEFAULT_CAPABILITIES, planReach, reachPrefixArguments, setprivArguments, type BwrapPlan } from '../../../../src/build/executor/bwrap.js';
import { tempDir } from '../../../helpers/tmp.js';

const base: BwrapPlan = {
  rootfs: '/var/tmp/rootfs',
  args: ['/bin/sh', '-c', 'echo hi'],
  env: [
    ['PATH', '/usr/bin:/bin'],
    ['X', 'a b=c'],
  ],
  cwd: '/app',
  hostname: 'oci-kit',
  network: 'host',
  mounts: [
    { kind: 'ro-bind', source: '/tmp/f/hosts', target: '/etc/hosts' },
    { kind: 'tmpfs', target: '/scratch' },
    { kind: 'bind', source: '/cache/go', target: '/root/.cache' },
  ],
  mode: 'privileged',
  uid: 0,
  gid: 0,
  tty: false,
};

/** The values following each occurrence of `flag`. */
function after(args: string[], flag: string, count = 1): string[][] {
  const out: string[][] = [];
  args.forEach((a, i) => {
    if (a === flag) out.push(args.slice(i + 1, i + 1 + count));
  });
  return out;
}

test('root on a root host: rootfs as /, proc, dev, mounts, namespaces, Docker capabilities, clean env, cwd, argv last', () => {
  const args = bwrapArguments(base);
  assert.deepEqual(args.slice(0, 7), ['--bind', '/var/tmp/rootfs', '/', '--proc', '/proc', '--dev', '/dev']);
  assert.deepEqual(after(args, '--ro-bind', 2), [['/tmp/f/hosts', '/etc/hosts']]);
  assert.deepEqual(after(args, '--tmpfs'), [['/scratch']]);
  assert.deepEqual(after(args, '--bind', 2)[1], ['/cache/go', '/root/.cache']);
  for (const flag of ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session', '--clearenv']) assert.ok(args.includes(flag), flag);
  assert.ok(!args.includes('--unshare-net'));
  assert.ok(!args.includes('--unshare-user'));
  assert.deepEqual(after(args, '--cap-drop'), [['ALL']]);
  assert.deepEqual(after(args, '--cap-add').flat(), [...DOCKER_DEFAULT_CAPABILITIES]);
  assert.deepEqual(after(args, '--setenv', 2), [
    ['PATH', '/usr/bin:/bin'],
    ['X', 'a b=c'],
  ]);
  assert.ok(args.indexOf('--clearenv') < args.indexOf('--setenv'));
  assert.deepEqual(after(args, '--hostname'), [['oci-kit']]);
  assert.deepEqual(args.slice(-6), ['--chdir', '/app', '--', '/bin/sh', '-c', 'echo hi']);
});

test('network none, a user namespace for another user, and a tty session', () => {
  const args = bwrapArguments({ ...base, network: 'none', mode: 'userns', uid: 1000, gid: 100, tty: true });
  assert.ok(args.includes('--unshare-net'));
  assert.deepEqual(after(args, '--unshare-user', 4), [['--uid', '1000', '--gid', '100']]);
  assert.ok(!args.includes('--cap-add'));
  assert.ok(!args.includes('--new-session'));
});

test('an argv that looks like options stays after --', () => {
  const args = bwrapArguments({ ...base, args: ['--help', '--bind'] });
  assert.deepEqual(args.slice(-3), ['--', '--help', '--bind']);
});

test('setpriv drops to the user and its supplementary groups, or clears them', () => {
  assert.deepEqual(setprivArguments({ uid: 1000, gid: 1000, additionalGids: [29, 44], home: '/' }), ['--reuid=1000', '--regid=1000', '--groups=29,44', '--']);
  assert.deepEqual(setprivArguments({ uid: 5, gid: 0, additionalGids: [], home: '/' }), ['--reuid=5', '--regid=0', '--clear-groups', '--']);
});

test('canReach follows the search bits of every ancestor', async (t) => {
  const dir = await tempDir(t);
  const target = join(dir, 'a', 'b');
  mkdirSync(target, { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'a'), 0o700);
  assert.equal(canReach(target, 4242, [4242]), false);
  chmodSync(join(dir, 'a'), 0o711);
  assert.equal(canReach(target, 4242, [4242]), true);
  chmodSync(join(dir, 'a'), 0o750);
  assert.equal(canReach(target, 4242, [4242]), false);
});

test('planReach rebases only unreachable sources, each onto its own mount point, keeping read-only binds read-only', () => {
  const hidden = (path: string) => path.startsWith('/root') || path.startsWith('/tmp/private');
  const plan = planReach('/tmp/private/rootfs', [
    { kind: 'ro-bind', source: '/tmp/f/hosts', target: '/etc/hosts' },
    { kind: 'tmpfs', target: '/scratch' },
    { kind: 'ro-bind', source: '/tmp/private/view', target: '/src' },
    { kind: 'bind', source: '/root/store/cache/go', target: '/root/.cache' },
  ], '/tmp/reach', (path) => !hidden(path));
  assert.equal(plan.rootfs, '/tmp/reach/rootfs');
  assert.deepEqual(plan.mounts, [
    { kind: 'ro-bind', source: '/tmp/f/hosts', target: '/etc/hosts' },
    { kind: 'tmpfs', target: '/scratch' },
    { kind: 'ro-bind', source: '/tmp/reach/mount-2', target: '/src' },
    { kind: 'bind', source: '/tmp/reach/mount-3', target: '/root/.cache' },
  ]);
  assert.deepEqual(plan.binds, [
    { source: '/tmp/private/rootfs', mountPoint: '/tmp/reach/rootfs', readonly: false },
    { source: '/tmp/private/view', mountPoint: '/tmp/reach/mount-2', readonly: true },
    { source: '/root/store/cache/go', mountPoint: '/tmp/reach/mount-3', readonly: false },
  ]);
});

test('planReach decides a mount by its parent (binding cannot change the source\'s own mode) and changes nothing when all is reachable', () => {
  const asked: string[] = [];
  const plan = planReach('/r', [{ kind: 'bind', source: '/a/b/file', target: '/f' }], '/tmp/reach', (path) => (asked.push(path), true));
  assert.deepEqual(asked, ['/r', '/a/b']);
  assert.deepEqual(plan, { rootfs: '/r', mounts: [{ kind: 'bind', source: '/a/b/file', target: '/f' }], binds: [] });
});

test('the reach prefix binds each source in a private mount namespace, remounts read-only ones read-only, then execs the rest', () => {
  const args = reachPrefixArguments('/usr/bin/unshare', '/bin/sh', [
    { source: '/tmp/private/rootfs', mountPoint: '/tmp/reach/rootfs', readonly: false },
    { source: '/tmp/private/view', mountPoint: '/tmp/reach/mount-2', readonly: true },
  ]);
  assert.deepEqual(args.slice(0, 6), ['/usr/bin/unshare', '--mount', '--propagation', 'private', '--', '/bin/sh']);
  const script = args[7]!;
  assert.match(script, /^set -e\n/);
  assert.match(script, /mount --bind -- "\$2" "\$3"/);
  assert.match(script, /mount -o remount,bind,ro -- "\$3"/);
  assert.deepEqual(args.slice(8), ['sh', 'rw', '/tmp/private/rootfs', '/tmp/reach/rootfs', 'ro', '/tmp/private/view', '/tmp/reach/mount-2', '--']);
});
