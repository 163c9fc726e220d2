import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseOf, canonicalPath, compareNames, comparePaths, defaultMode, parentOf } from '../../../src/layer/entry.js';

test('canonicalPath strips slashes and dots, refuses .. and NUL', () => {
  assert.equal(canonicalPath('/a//b/./c/'), 'a/b/c');
  assert.equal(canonicalPath('./'), '');
  assert.throws(() => canonicalPath('a/../b'), { code: 'ERR_LAYER_INVALID_ENTRY' });
  assert.throws(() => canonicalPath('a\0b'), { code: 'ERR_LAYER_INVALID_ENTRY' });
});

test('comparePaths puts parents first, then opaque marker, whiteouts, other siblings in byte order', () => {
  const paths = ['b', 'a/z', 'a/.wh.y', 'a', 'a/.wh..wh..opq', 'a/-dash', 'A', 'é', 'a/b/c', 'a/b', '😀', '\uffff'];
  const sorted = [...paths].sort(comparePaths);
  assert.deepEqual(sorted, ['A', 'a', 'a/.wh..wh..opq', 'a/.wh.y', 'a/-dash', 'a/b', 'a/b/c', 'a/z', 'b', 'é', '\uffff', '😀']);
});

test('compareNames orders by UTF-8 bytes, not UTF-16 units', () => {
  const a = '\uffff';
  const b = '😀';
  assert.equal(Math.sign(compareNames(a, b)), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
  assert.ok(compareNames('ab', 'abc') < 0);
});

test('parentOf / baseOf / defaultMode', () => {
  assert.equal(parentOf('a/b/c'), 'a/b');
  assert.equal(parentOf('a'), '');
  assert.equal(baseOf('a/b/c'), 'c');
  assert.equal(defaultMode('dir'), 0o755);
  assert.equal(defaultMode('file'), 0o644);
  assert.equal(defaultMode('symlink'), 0o777);
});
