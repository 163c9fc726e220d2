import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hostPathInRoot, resolveInRoot } from '../../../src/build/rootfs-path.js';
import { tempDir } from '../../helpers/tmp.js';

test('symlinks resolve inside the root; .. and absolute targets never leave it', async (t) => {
  const root = await tempDir(t);
  await mkdir(join(root, 'usr/lib'), { recursive: true });
  await symlink('usr/lib', join(root, 'lib'));
  await symlink('/../../../etc', join(root, 'escape'));
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
  assert.equal(resolveInRoot(root, '/lib/x'), '/usr/lib/x');
  assert.equal(resolveInRoot(root, '/lib', false), '/lib');
  assert.equal(resolveInRoot(root, '/escape/passwd'), '/etc/passwd');
  assert.equal(resolveInRoot(root, '/../../x'), '/x');
  assert.equal(hostPathInRoot(root, '/lib/y'), join(root, 'usr/lib/y'));
  assert.throws(() => resolveInRoot(root, '/loop1/x'), /too many levels/);
});
