import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { resolveContainerPath, resolveInRootfs, splitPath } from '../../../../src/build/executor/rootfs-path.js';
import { isOciKitError } from '../../../../src/errors.js';
import { tempDir } from '../../../helpers/tmp.js';

test('splitPath drops empty and dot components', () => {
  assert.deepEqual(splitPath('//a/./b/'), ['a', 'b']);
  assert.deepEqual(splitPath('/'), []);
});

test('paths resolve inside the rootfs: .. stops at its top, symlinks are scoped to it', async (t) => {
  const root = await tempDir(t);
  mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
  symlinkSync('usr/lib', join(root, 'lib'));
  symlinkSync('/usr', join(root, 'abs'));
  symlinkSync('../../../../../etc', join(root, 'usr', 'escape'));
  assert.equal(resolveContainerPath(root, '/../../x'), '/x');
  assert.equal(resolveContainerPath(root, '/lib/x.so'), '/usr/lib/x.so');
  assert.equal(resolveContainerPath(root, '/abs/lib'), '/usr/lib');
  assert.equal(resolveContainerPath(root, '/usr/escape/passwd'), '/etc/passwd');
  assert.equal(resolveInRootfs(root, '/usr/escape/passwd'), join(root, 'etc', 'passwd'));
  assert.equal(resolveContainerPath(root, '/missing/../usr/./lib/'), '/usr/lib');
});

test('a symlink loop is an error, not a hang', async (t) => {
  const root = await tempDir(t);
  symlinkSync('/b', join(root, 'a'));
  symlinkSync('/a', join(root, 'b'));
  assert.throws(() => resolveInRootfs(root, '/a/x'), (err) => isOciKitError(err, 'ERR_SANDBOX_SETUP'));
});

test('a final symlink is kept with followLast false; relative and escaping links resolve inside', async (t) => {
  const root = await tempDir(t);
  mkdirSync(join(root, 'usr/lib'), { recursive: true });
  symlinkSync('usr/lib', join(root, 'lib'));
  symlinkSync('/../../../etc', join(root, 'escape'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
  assert.equal(resolveContainerPath(root, '/lib/x'), '/usr/lib/x');
  assert.equal(resolveContainerPath(root, '/lib', false), '/lib');
  assert.equal(resolveInRootfs(root, '/lib', false), join(root, 'lib'));
  assert.equal(resolveContainerPath(root, '/escape/passwd'), '/etc/passwd');
  assert.equal(resolveInRootfs(root, '/lib/y'), join(root, 'usr/lib/y'));
  assert.throws(() => resolveContainerPath(root, '/loop1/x'), /too many levels/);
});
