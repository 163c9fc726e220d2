import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { diffTars } from '../../../src/layer/diff-tars.js';
import { rawTar, streamOf } from './fixtures.js';

const lower = (): Buffer =>
  rawTar([
    { path: 'etc/', type: 'dir' },
    { path: 'etc/a', content: 'a' },
    { path: 'etc/b', content: 'b' },
    { path: 'var/', type: 'dir' },
    { path: 'var/lib/', type: 'dir' },
    { path: 'var/lib/x', content: 'x' },
    { path: 'link', type: 'symlink', linkname: 'etc/a' },
  ]);

test('diffTars reports added, modified and deleted paths (deletions at subtree roots only)', async () => {
  const upper = rawTar([
    { path: 'etc/', type: 'dir' },
    { path: 'etc/a', content: 'A' },
    { path: 'etc/c', content: 'c' },
    { path: 'link', type: 'symlink', linkname: 'etc/c' },
  ]);
  assert.deepEqual(await diffTars(streamOf(lower()), streamOf(gzipSync(upper))), [
    { path: 'etc/a', kind: 'modified', type: 'file' },
    { path: 'etc/b', kind: 'deleted', type: 'file' },
    { path: 'etc/c', kind: 'added', type: 'file' },
    { path: 'link', kind: 'modified', type: 'symlink' },
    { path: 'var', kind: 'deleted', type: 'dir' },
  ]);
});

test('a side can be a layer stack: whiteouts and opaque markers are applied in memory', async () => {
  const layer2 = rawTar([{ path: 'etc/.wh.b' }, { path: 'var/lib/.wh..wh..opq' }, { path: 'var/lib/y', content: 'y' }]);
  assert.deepEqual(await diffTars(streamOf(lower()), [streamOf(lower()), streamOf(layer2)]), [
    { path: 'etc/b', kind: 'deleted', type: 'file' },
    { path: 'var/lib/x', kind: 'deleted', type: 'file' },
    { path: 'var/lib/y', kind: 'added', type: 'file' },
  ]);
  assert.deepEqual(await diffTars(streamOf(lower()), streamOf(lower())), []);
});
