import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeEnv, DEFAULT_PATH, hostsFile, setUpSandbox } from '../../../../src/build/executor/sandbox-setup.js';
import { isOciKitError } from '../../../../src/errors.js';
import { tempDir } from '../../../helpers/tmp.js';

const root = { uid: 0, gid: 0, additionalGids: [], home: '/root' };

test('completeEnv: last value wins, PATH and HOME default like Docker, TERM only for a tty', () => {
  assert.deepEqual(completeEnv(['A=1', 'B==x', 'A=2', 'NOVALUE', '=bad'], root, false), [
    ['A', '2'],
    ['B', '=x'],
    ['PATH', DEFAULT_PATH],
    ['HOME', '/root'],
  ]);
  assert.deepEqual(completeEnv(['PATH=/x', 'HOME=/h', 'TERM=vt100'], root, true), [
    ['PATH', '/x'],
    ['HOME', '/h'],
    ['TERM', 'vt100'],
  ]);
  assert.deepEqual(completeEnv([], root, true).at(-1), ['TERM', 'xterm']);
});

test('setUpSandbox prepares hosts, resolv.conf, proc, dev, the working directory and mounts; dispose removes the plumbing only', async (t) => {
  const dir = await tempDir(t);
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:7:8::/home/app:/bin/sh\n');
  const cache = join(dir, 'cache');
  const setup = setUpSandbox({
    rootfs,
    args: ['true'],
    env: [],
    cwd: '/srv/app',
    user: 'app',
    network: 'host',
    mounts: [
      { type: 'cache', source: cache, target: '/var/cache/apt' },
      { type: 'tmpfs', target: '/run/tmp' },
      { type: 'bind', source: join(rootfs, 'etc', 'passwd'), target: '/mnt/passwd', readonly: true },
    ],
  });
  assert.deepEqual(setup.user, { uid: 7, gid: 8, additionalGids: [], home: '/home/app' });
  assert.equal(setup.cwd, '/srv/app');
  assert.deepEqual(
    setup.mounts.map((m) => [m.kind, m.target]),
    [
      ['ro-bind', '/etc/hosts'],
      ['ro-bind', '/etc/resolv.conf'],
      ['bind', '/var/cache/apt'],
      ['tmpfs', '/run/tmp'],
      ['ro-bind', '/mnt/passwd'],
    ],
  );
  assert.equal(readFileSync(setup.mounts[0]!.source!, 'utf8'), hostsFile('oci-kit'));
  assert.ok(existsSync(cache), 'a cache mount source is created');
  assert.ok(existsSync(join(rootfs, 'proc')) && existsSync(join(rootfs, 'mnt', 'passwd')));
  const files = setup.mounts[0]!.source!;
  setup.dispose();
  assert.ok(!existsSync(files));
  assert.deepEqual(readdirSync(rootfs).sort(), ['etc', 'srv'], 'the working directory stays, mount points go');
  assert.deepEqual(readdirSync(join(rootfs, 'etc')), ['passwd']);
});

test('setUpSandbox refuses what cannot run', async (t) => {
  const dir = await tempDir(t);
  const base = { rootfs: dir, args: ['true'], env: [], cwd: '/', network: 'none' as const };
  assert.throws(() => setUpSandbox({ ...base, rootfs: join(dir, 'missing') }), (e) => isOciKitError(e, 'ERR_SANDBOX_SETUP'));
  assert.throws(() => setUpSandbox({ ...base, args: [] }), (e) => isOciKitError(e, 'ERR_SANDBOX_SETUP'));
  assert.throws(() => setUpSandbox({ ...base, cwd: 'relative' }), (e) => isOciKitError(e, 'ERR_SANDBOX_SETUP'));
  assert.throws(() => setUpSandbox({ ...base, user: 'nobody-here' }), (e) => isOciKitError(e, 'ERR_UNKNOWN_USER'));
  assert.throws(() => setUpSandbox({ ...base, mounts: [{ type: 'bind', target: '/x' }] }), (e) => isOciKitError(e, 'ERR_SANDBOX_SETUP'));
  writeFileSync(join(dir, 'file'), '');
  assert.throws(() => setUpSandbox({ ...base, cwd: '/file' }), (e) => isOciKitError(e, 'ERR_SANDBOX_SETUP'));
  assert.deepEqual(readdirSync(dir), ['file'], 'a failed setup leaves nothing behind');
});
