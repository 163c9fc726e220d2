import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildContext, hasWildcards, segmentMatcher } from '../../../src/build/context.js';
import { IgnoreMatcher } from '../../../src/build/dockerignore.js';
import { tempDir } from '../../helpers/tmp.js';

async function fixture(t: import('node:test').TestContext): Promise<string> {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'src/lib'), { recursive: true });
  await writeFile(join(dir, 'src/a.ts'), 'a');
  await writeFile(join(dir, 'src/b.js'), 'b');
  await writeFile(join(dir, 'src/lib/c.ts'), 'c');
  await writeFile(join(dir, 'secret.env'), 's');
  await symlink('src/a.ts', join(dir, 'link-in'));
  await symlink('/etc/hostname', join(dir, 'link-out'));
  return dir;
}

test('wildcards per segment, literal paths, leading slash relative to the root', async (t) => {
  const ctx = new BuildContext(await fixture(t));
  assert.deepEqual(ctx.resolve('src/*.ts').map((e) => e.rel), ['src/a.ts']);
  assert.deepEqual(ctx.resolve('*/*.[tj]s').map((e) => e.rel), ['src/a.ts', 'src/b.js']);
  assert.deepEqual(ctx.resolve('/src/lib/c.ts').map((e) => e.rel), ['src/lib/c.ts']);
  assert.ok(hasWildcards('a/*.ts') && !hasWildcards('a/b.ts') && !hasWildcards('a\\*'));
  assert.ok(segmentMatcher('f?o[0-9]').test('foo1') && !segmentMatcher('*').test('a/b'));
});

test('escaping the context is refused, also through a symlink; missing sources are named', async (t) => {
  const ctx = new BuildContext(await fixture(t));
  assert.throws(() => ctx.resolve('../x'), (err: Error & { code?: string }) => err.code === 'ERR_OUTSIDE_CONTEXT');
  assert.throws(() => ctx.resolve('link-out'), (err: Error & { code?: string }) => err.code === 'ERR_OUTSIDE_CONTEXT');
  assert.equal(ctx.resolve('link-in')[0]!.type, 'file', 'a top-level symlink inside the context is followed');
  assert.throws(() => ctx.resolve('nope*'), (err: Error & { code?: string }) => err.code === 'ERR_SOURCE_NOT_FOUND');
});

test('ignored paths are invisible; walk applies .dockerignore and --exclude, keeps symlinks', async (t) => {
  const dir = await fixture(t);
  const ctx = new BuildContext(dir, ['*.env', 'src/lib']);
  assert.throws(() => ctx.resolve('secret.env'), /not found/);
  const root = ctx.resolve('.')[0]!;
  const subs = ctx.walk(root, new IgnoreMatcher(['**/*.js'])).map((e) => e.sub);
  assert.deepEqual(subs, ['', 'link-in', 'link-out', 'src', 'src/a.ts']);
  const link = ctx.walk(root).find((e) => e.sub === 'link-out')!;
  assert.equal(link.type, 'symlink');
  assert.equal(link.linkname, '/etc/hostname');
});

test('an exception inside an excluded directory is still found by the walk', async (t) => {
  const dir = await fixture(t);
  const ctx = new BuildContext(dir, ['src', '!src/lib/c.ts']);
  const subs = ctx.walk(ctx.resolve('.')[0]!).map((e) => e.sub);
  assert.ok(subs.includes('src/lib/c.ts'));
  assert.ok(!subs.includes('src/a.ts'));
});

test('rootfs mode resolves absolute symlinks inside the root', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'usr/lib'), { recursive: true });
  await writeFile(join(dir, 'usr/lib/x.so'), 'x');
  await symlink('/usr/lib', join(dir, 'lib'));
  const ctx = new BuildContext(dir, [], true);
  const [entry] = ctx.resolve('/lib/x.so');
  assert.equal(entry!.type, 'file');
  assert.equal(entry!.abs, join(dir, 'usr/lib/x.so'));
});
