import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MountSyntaxError, parseMount, splitCsv } from '../../../src/dockerfile/mount.js';

test('splitCsv handles quoted fields', () => {
  assert.deepEqual(splitCsv('a=1,"b=2,3",c'), ['a=1', 'b=2,3', 'c']);
  assert.deepEqual(splitCsv('"x ""y"""'), ['x "y"']);
  assert.throws(() => splitCsv('"open'), MountSyntaxError);
});

test('each mount type with its keys', () => {
  assert.deepEqual(parseMount('target=/src'), { type: 'bind', readOnly: true, raw: 'target=/src', target: '/src' });
  const bind = parseMount('type=bind,from=build,source=/out,dst=/in,rw');
  assert.equal(bind.readOnly, false);
  assert.equal(bind.from, 'build');
  assert.equal(bind.source, '/out');
  assert.equal(bind.target, '/in');
  const cache = parseMount('type=cache,target=/root/.cache,id=pip,sharing=locked,mode=0755,uid=1000,gid=1000');
  assert.deepEqual([cache.type, cache.readOnly, cache.id, cache.sharing, cache.mode, cache.uid, cache.gid], ['cache', false, 'pip', 'locked', '0755', '1000', '1000']);
  assert.equal(parseMount('type=tmpfs,target=/tmp,size=64m').size, '64m');
  const secret = parseMount('type=secret,id=npmrc,required');
  assert.equal(secret.target, '/run/secrets/npmrc');
  assert.equal(secret.required, true);
  assert.equal(parseMount('type=secret,id=tok,env=TOKEN').env, 'TOKEN');
  assert.equal(parseMount('type=ssh').type, 'ssh');
  assert.equal(parseMount('type=cache,target=$DIR,uid=$UID').uid, '$UID');
});

test('bad mounts are rejected with a reason', () => {
  const bad: [string, RegExp][] = [
    ['type=nfs,target=/x', /unsupported mount type/],
    ['type=cache', /needs a target/],
    ['type=cache,target=/x,sharing=weird', /sharing/],
    ['target=/x,mode=999', /octal/],
    ['target=/x,uid=root', /expected a number/],
    ['target=/x,bogus=1', /unexpected key 'bogus'/],
    ['target=/x,size=1', /only supported for tmpfs/],
    ['target', /key=value/],
    ['type=secret', /needs an id or a target/],
    ['target=/x,ro=maybe', /invalid value/],
  ];
  for (const [text, pattern] of bad) assert.throws(() => parseMount(text), pattern, text);
});
