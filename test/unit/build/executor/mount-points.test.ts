import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MountPoints } from '../../../../src/build/executor/mount-points.js';
import { isOciKitError } from '../../../../src/errors.js';
import { tempDir } from '../../../helpers/tmp.js';

function mtimeNs(path: string): bigint {
  return statSync(path, { bigint: true }).mtimeNs;
}

test('mount points created for a run are removed afterwards and parent mtimes restored to the nanosecond', async (t) => {
  const root = await tempDir(t);
  mkdirSync(join(root, 'bin'));
  utimesSync(root, 1_000_000, 1_000_000.123456);
  const before = mtimeNs(root);
  const points = new MountPoints(root);
  assert.deepEqual(points.prepare({ target: '/proc', kind: 'dir' }), { containerPath: '/proc', hostPath: join(root, 'proc') });
  points.prepare({ target: '/etc/hosts', kind: 'file' });
  assert.ok(statSync(join(root, 'etc', 'hosts')).isFile());
  points.cleanup();
  assert.deepEqual(readdirSync(root), ['bin']);
  assert.equal(mtimeNs(root), before);
});

test('what the command put into a created directory stays, and the parent keeps its new mtime', async (t) => {
  const root = await tempDir(t);
  const points = new MountPoints(root);
  points.prepare({ target: '/etc/resolv.conf', kind: 'file' });
  writeFileSync(join(root, 'etc', 'motd'), 'hello');
  points.cleanup();
  assert.deepEqual(readdirSync(join(root, 'etc')), ['motd']);
});

test('existing mount points are left alone, including their content', async (t) => {
  const root = await tempDir(t);
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc', 'hosts'), '10.0.0.1 image-host\n');
  const points = new MountPoints(root);
  points.prepare({ target: '/etc/hosts', kind: 'file' });
  points.cleanup();
  assert.equal(statSync(join(root, 'etc', 'hosts')).size, 20);
});

test('a symlinked mount point resolves inside the rootfs', async (t) => {
  const root = await tempDir(t);
  mkdirSync(join(root, 'etc'));
  symlinkSync('/run/systemd/resolve/stub-resolv.conf', join(root, 'etc', 'resolv.conf'));
  const points = new MountPoints(root);
  const prepared = points.prepare({ target: '/etc/resolv.conf', kind: 'file' });
  assert.equal(prepared.containerPath, '/run/systemd/resolve/stub-resolv.conf');
  assert.ok(existsSync(join(root, 'run', 'systemd', 'resolve', 'stub-resolv.conf')));
  points.cleanup();
  assert.deepEqual(readdirSync(root), ['etc']);
});

test('a file where a directory mount must go is an error', async (t) => {
  const root = await tempDir(t);
  writeFileSync(join(root, 'proc'), '');
  const points = new MountPoints(root);
  assert.throws(() => points.prepare({ target: '/proc', kind: 'dir' }), (err) => isOciKitError(err, 'ERR_SANDBOX_SETUP'));
  assert.throws(() => points.prepare({ target: '/proc/x', kind: 'dir' }), (err) => isOciKitError(err, 'ERR_SANDBOX_SETUP'));
});

test('cleanup does not follow a directory the command replaced with a symlink', async (t) => {
  const root = await tempDir(t);
  const outside = await tempDir(t);
  mkdirSync(join(outside, 'mnt'));
  const points = new MountPoints(root);
  points.prepare({ target: '/data/mnt', kind: 'dir' });
  // the "command" swaps /data for a link to a host directory holding an empty "mnt"
  rmSync(join(root, 'data'), { recursive: true });
  symlinkSync(outside, join(root, 'data'));
  points.cleanup();
  assert.ok(existsSync(join(outside, 'mnt')));
});
