import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { walkDirectory } from '../../../src/layer/walk.js';
import { tempDir } from '../../helpers/tmp.js';

test('walkDirectory lists parents first in byte order, links hardlinks, honours include', async (t) => {
  const root = await tempDir(t);
  mkdirSync(join(root, 'b/sub'), { recursive: true });
  writeFileSync(join(root, 'b/sub/f'), 'data');
  linkSync(join(root, 'b/sub/f'), join(root, 'a-link'));
  symlinkSync('b', join(root, 'c'));
  mkdirSync(join(root, 'skip'));
  writeFileSync(join(root, 'skip/x'), '');
  const entries = walkDirectory(root, { include: (p) => !p.startsWith('skip'), xattrs: false });
  assert.deepEqual(entries.map((e) => `${e.type}:${e.path}`), ['file:a-link', 'dir:b', 'dir:b/sub', 'hardlink:b/sub/f', 'symlink:c']);
  assert.equal(entries[0]?.size, 4);
  assert.equal(entries[3]?.linkname, 'a-link');
  assert.equal(entries[4]?.linkname, 'b');
  assert.ok(entries.every((e) => Number.isInteger(e.mtime)));
});

test('sub-second mtimes are kept only on request', async (t) => {
  const root = await tempDir(t);
  writeFileSync(join(root, 'f'), '');
  const { utimesSync } = await import('node:fs');
  utimesSync(join(root, 'f'), 1_600_000_000.5, 1_600_000_000.5);
  assert.equal(walkDirectory(root, { xattrs: false })[0]?.mtime, 1_600_000_000);
  assert.equal(walkDirectory(root, { xattrs: false, subsecondMtime: true })[0]?.mtime, 1_600_000_000.5);
});
