import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanPath, IgnoreMatcher, parseIgnoreFile, readIgnoreFile } from '../../../src/build/dockerignore.js';
import { tempDir } from '../../helpers/tmp.js';

test('parseIgnoreFile drops comments and blanks, cleans patterns and strips the leading slash', () => {
  const text = '# comment\n\n  node_modules  \n/dist/\n!keep.txt\n ! spaced \n./a/../b\n';
  assert.deepEqual(parseIgnoreFile(text), ['node_modules', 'dist', '!keep.txt', '!spaced', 'b']);
});

test('cleanPath behaves like Go path.Clean', () => {
  assert.equal(cleanPath('a//b/./c/..'), 'a/b');
  assert.equal(cleanPath('/../x'), '/x');
  assert.equal(cleanPath('../x'), '../x');
  assert.equal(cleanPath(''), '.');
});

test('a pattern excludes the path and everything below a matching parent', () => {
  const m = new IgnoreMatcher(['build']);
  assert.equal(m.excludes('build'), true);
  assert.equal(m.excludes('build/x/y.o'), true);
  assert.equal(m.excludes('src/build'), false);
});

test('* stays in one segment, ? is one character, ** spans segments', () => {
  const m = new IgnoreMatcher(['*.log', 'tmp?', '**/cache', 'docs/**/*.md']);
  assert.equal(m.excludes('a.log'), true);
  assert.equal(m.excludes('dir/a.log'), false);
  assert.equal(m.excludes('tmp1'), true);
  assert.equal(m.excludes('tmp12'), false);
  assert.equal(m.excludes('cache'), true);
  assert.equal(m.excludes('x/y/cache/z'), true);
  assert.equal(m.excludes('docs/readme.md'), true);
  assert.equal(m.excludes('docs/a/b/c.md'), true);
  assert.equal(m.excludes('docs/a/b/c.txt'), false);
});

test('exceptions re-include and the last matching pattern wins', () => {
  const m = new IgnoreMatcher(['*.md', '!README.md', 'README.md', '!docs/README.md']);
  assert.equal(m.excludes('CHANGES.md'), true);
  assert.equal(m.excludes('README.md'), true);
  const n = new IgnoreMatcher(['*', '!src', '!package.json']);
  assert.equal(n.excludes('src/index.ts'), false);
  assert.equal(n.excludes('package.json'), false);
  assert.equal(n.excludes('test/x'), true);
});

test('character classes and escapes', () => {
  const m = new IgnoreMatcher(['[ab].txt', 'x[^0-9]', 'lit\\*']);
  assert.equal(m.excludes('a.txt'), true);
  assert.equal(m.excludes('c.txt'), false);
  assert.equal(m.excludes('xa'), true);
  assert.equal(m.excludes('x1'), false);
  assert.equal(m.excludes('lit*'), true);
  assert.equal(m.excludes('litx'), false);
});

test('mayIncludeBelow is true only when an exception could reach inside', () => {
  assert.equal(new IgnoreMatcher(['vendor']).mayIncludeBelow('vendor'), false);
  assert.equal(new IgnoreMatcher(['vendor', '!vendor/keep']).mayIncludeBelow('vendor'), true);
  assert.equal(new IgnoreMatcher(['vendor', '!other']).mayIncludeBelow('vendor'), false);
});

test('readIgnoreFile prefers <Dockerfile>.dockerignore over the context one', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, '.dockerignore'), 'a\n');
  assert.deepEqual(readIgnoreFile(dir, join(dir, 'sub', 'Dockerfile')), ['a']);
  await writeFile(join(dir, 'sub', 'Dockerfile.dockerignore'), 'b\n');
  assert.deepEqual(readIgnoreFile(dir, join(dir, 'sub', 'Dockerfile')), ['b']);
});
