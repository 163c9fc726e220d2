// The xattr helper against the real python3 (`os.setxattr` / `os.listxattr`): values round-trip,
// symlinks are refused without throwing, and pipelined look-ups come back in order. The fallback
// without python3 is covered by test/unit/layer/xattr.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTreeXattrs, readXattrs, writeXattrs, xattrHelperAvailable, XattrLookup } from '../../../src/layer/xattr.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { userXattrsSupported } from '../../unit/layer/fixtures.js';

test('xattrs round-trip through the helper (user.* where the filesystem allows them)', async (t) => {
  requireTool('python3', 'python3');
  const root = await tempDir(t);
  assert.equal(xattrHelperAvailable(), true);
  mkdirSync(join(root, 'd'));
  writeFileSync(join(root, 'd/f'), '');
  symlinkSync('f', join(root, 'd/l'));
  if (!userXattrsSupported(root)) {
    t.diagnostic('this filesystem refuses user.* xattrs: only the failure report is tested');
    const failed = writeXattrs([{ path: join(root, 'd/f'), xattrs: { 'user.a': Buffer.from('1') } }]);
    assert.equal(failed.length, 1);
    return;
  }
  const failures = writeXattrs([
    { path: join(root, 'd/f'), xattrs: { 'user.bin': Buffer.from([0, 1, 2, 255]), 'user.text': Buffer.from('héllo') } },
    { path: join(root, 'd'), xattrs: { 'user.dir': Buffer.from('x') } },
    { path: join(root, 'd/l'), xattrs: { 'user.onlink': Buffer.from('x') } },
  ]);
  // Linux refuses user.* xattrs on symlinks: reported, not thrown.
  assert.deepEqual(failures.map((f) => f.name), ['user.onlink']);
  const one = readXattrs(root, ['d/f', 'd', 'd/l']);
  assert.deepEqual(Buffer.from(one.get('d/f')?.['user.bin'] ?? []), Buffer.from([0, 1, 2, 255]));
  assert.equal(Buffer.from(one.get('d/f')?.['user.text'] ?? []).toString(), 'héllo');
  assert.equal(one.has('d/l'), false);
  const tree = readTreeXattrs(root);
  assert.deepEqual([...tree.keys()].sort(), ['d', 'd/f']);
});

test('XattrLookup answers pipelined batches in order', async (t) => {
  requireTool('python3', 'python3');
  const root = await tempDir(t);
  for (const name of ['a', 'b', 'c']) writeFileSync(join(root, name), '');
  if (!userXattrsSupported(root)) {
    t.diagnostic('this filesystem refuses user.* xattrs: only empty answers are tested');
  } else {
    assert.deepEqual(writeXattrs([{ path: join(root, 'b'), xattrs: { 'user.k': Buffer.from('v') } }]), []);
  }
  const lookup = XattrLookup.start(root);
  assert.ok(lookup);
  try {
    const first = lookup.lookup(['a', 'missing']);
    const second = lookup.lookup(['b', 'c']);
    assert.deepEqual([...(await first).keys()], []);
    const found = await second;
    if (userXattrsSupported(root)) assert.equal(Buffer.from(found.get('b')?.['user.k'] ?? []).toString(), 'v');
    assert.equal(found.has('c'), false);
  } finally {
    lookup.close();
  }
});
