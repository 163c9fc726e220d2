import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { shellQuote, unshareArguments, unshareScript, type UnsharePlan } from '../../../../src/build/executor/unshare.js';

const plan: UnsharePlan = {
  rootfs: '/r o/fs',
  args: ['/bin/sh', '-c', "echo 'it''s' $HOME"],
  cwd: '/w',
  hostname: 'oci-kit',
  procPath: '/proc',
  devPath: '/dev',
  mounts: [
    { kind: 'ro-bind', source: '/tmp/x/hosts', target: '/etc/hosts' },
    { kind: 'tmpfs', target: '/t' },
  ],
  tools: { unshare: '/usr/bin/unshare', mount: '/usr/bin/mount', sh: '/bin/sh', ln: '/bin/ln', mkdir: '/bin/mkdir' },
};

test('shellQuote survives sh for any string', () => {
  for (const value of ["it's", 'a b', '$HOME', '`id`', '"', '\\', '', 'x\ny']) {
    assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' }), value);
  }
});

test('the script mounts proc, dev and binds read-only, then chroots with the working directory', () => {
  const script = unshareScript(plan);
  const lines = script.split('\n');
  assert.equal(lines[0], 'set -e');
  assert.ok(lines.includes(`'/usr/bin/mount' -t proc -o nosuid,nodev,noexec proc '/r o/fs/proc'`));
  assert.ok(lines.includes(`'/usr/bin/mount' --rbind '/tmp/x/hosts' '/r o/fs/etc/hosts'`));
  assert.ok(lines.includes(`'/usr/bin/mount' -o remount,bind,ro '/r o/fs/etc/hosts'`));
  assert.ok(lines.includes(`'/usr/bin/mount' -t tmpfs -o mode=0755 tmpfs '/r o/fs/t'`));
  assert.ok(lines.includes(`'/usr/bin/mount' --bind /dev/null '/r o/fs/dev/null'`));
  assert.equal(lines.at(-1), `exec '/usr/bin/unshare' --root='/r o/fs' --wd='/w' -- '/bin/sh' '-c' 'echo '\\''it'\\'''\\''s'\\'' $HOME'`);
});

test('the hostname is set with the hostname tool when there is one, and never fails the run', () => {
  assert.ok(unshareScript(plan).split('\n').includes(`echo 'oci-kit' 2>/dev/null > /proc/sys/kernel/hostname || :`));
  const withTool = unshareScript({ ...plan, tools: { ...plan.tools, hostname: '/bin/hostname' } });
  assert.ok(withTool.split('\n').includes(`'/bin/hostname' 'oci-kit' 2>/dev/null || :`));
});

test('/proc and /dev go where their symlinks point inside the rootfs', () => {
  const lines = unshareScript({ ...plan, procPath: '/real/proc', devPath: '/real/dev' }).split('\n');
  assert.ok(lines.includes(`'/usr/bin/mount' -t proc -o nosuid,nodev,noexec proc '/r o/fs/real/proc'`));
  assert.ok(lines.includes(`'/usr/bin/mount' --bind /dev/null '/r o/fs/real/dev/null'`));
  assert.ok(lines.includes(`'/bin/ln' -s /proc/self/fd '/r o/fs/real/dev/fd'`));
});

test('a non-root user is set by the final unshare', () => {
  assert.match(unshareScript({ ...plan, user: { uid: 1000, gid: 50 } }).split('\n').at(-1)!, /--setgid 50 --setuid 1000 --/);
});

test('namespaces: user namespace only when rootless, network namespace for none', () => {
  assert.deepEqual(unshareArguments({ rootless: false, network: 'host' }), ['--mount', '--pid', '--fork', '--ipc', '--uts', '--propagation', 'private', '--kill-child']);
  const rootless = unshareArguments({ rootless: true, network: 'none' });
  assert.deepEqual(rootless.slice(0, 2), ['--user', '--map-root-user']);
  assert.equal(rootless.at(-1), '--net');
});
