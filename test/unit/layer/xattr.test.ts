import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../../helpers/tmp.js';

// The helper itself (python3) is tested in test/interop/layer/xattr.test.ts. Here: the behaviour on
// a machine without python3, run in a child whose PATH is a directory holding only node (a link),
// so it is tested on every machine.
test('without python3, reading finds no xattrs and writing reports each one as not applied', async (t) => {
  const root = await tempDir(t);
  writeFileSync(join(root, 'f'), '');
  const bin = join(root, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const moduleUrl = pathToFileURL(join(import.meta.dirname, '../../../src/layer/xattr.ts')).href;
  const script = `
    const x = await import(${JSON.stringify(moduleUrl)});
    const root = ${JSON.stringify(root)};
    console.log(JSON.stringify({
      available: x.xattrHelperAvailable(),
      read: [...x.readXattrs(root, ['f']).keys()],
      tree: [...x.readTreeXattrs(root).keys()],
      failures: x.writeXattrs([{ path: root + '/f', xattrs: { 'user.a': Buffer.from('1'), 'user.b': Buffer.from('2') } }]),
      lookup: x.XattrLookup.start(root)?.close() ?? 'none',
    }));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: bin },
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const got = JSON.parse(child.stdout) as { available: boolean; read: string[]; tree: string[]; failures: { path: string; name: string; reason: string }[]; lookup: unknown };
  assert.equal(got.available, false);
  assert.deepEqual(got.read, []);
  assert.deepEqual(got.tree, []);
  assert.deepEqual(got.failures.map((f) => [f.path, f.name]), [[join(root, 'f'), 'user.a'], [join(root, 'f'), 'user.b']]);
  assert.match(got.failures[0]?.reason ?? '', /python3/);
  assert.equal(got.lookup, 'none');
});
