import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blobPath, cleanArchivePath, digestOfBlobPath } from '../../../src/archive/paths.js';

test('archive paths are cleaned to relative POSIX form', () => {
  assert.equal(cleanArchivePath('./a//b/', 'x'), 'a/b');
  assert.equal(cleanArchivePath('a/../b', 'x'), 'b');
  assert.equal(cleanArchivePath('./', 'x'), '');
  assert.equal(cleanArchivePath('../c.tar', 'x', 'layer'), 'c.tar');
});

test('paths that leave the archive are refused with ERR_ARCHIVE_PATH', () => {
  for (const path of ['../x', 'a/../../x', '/etc/passwd', 'C:\\x', 'a\0b']) {
    assert.throws(() => cleanArchivePath(path, 'the archive'), (err: Error & { code?: string }) => err.code === 'ERR_ARCHIVE_PATH', path);
  }
  assert.throws(() => cleanArchivePath('../../x', 'a link', 'dir'), /leaves the archive/);
});

test('blob paths map to digests and back', () => {
  const digest = `sha256:${'ab'.repeat(32)}` as const;
  assert.equal(blobPath(digest), `blobs/sha256/${'ab'.repeat(32)}`);
  assert.equal(digestOfBlobPath(blobPath(digest)), digest);
  assert.equal(digestOfBlobPath('blobs/sha256/short'), undefined);
  assert.equal(digestOfBlobPath('other/sha256/' + 'ab'.repeat(32)), undefined);
});
