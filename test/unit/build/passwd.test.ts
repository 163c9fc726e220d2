import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownerNeedsLookup, resolveOwner } from '../../../src/build/passwd.js';

const files: Record<string, string> = {
  '/etc/passwd': 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n',
  '/etc/group': 'root:x:0:\nwww:x:33:\n',
};
const read = async (p: string) => files[p];

test('names resolve from passwd and group; numbers pass through; gid defaults to the uid', async () => {
  assert.deepEqual(await resolveOwner('app:www', read), { uid: 1000, gid: 33 });
  assert.deepEqual(await resolveOwner('app', read), { uid: 1000, gid: 1000 });
  assert.deepEqual(await resolveOwner('7:8', read), { uid: 7, gid: 8 });
  assert.deepEqual(await resolveOwner('7', read), { uid: 7, gid: 7 });
  assert.deepEqual(await resolveOwner('0:www', read), { uid: 0, gid: 33 });
});

test('unknown names fail with a code and a hint', async () => {
  await assert.rejects(resolveOwner('ghost', read), (e: Error & { code?: string; hint?: string }) => e.code === 'ERR_UNKNOWN_USER' && /numeric/.test(e.hint ?? ''));
  await assert.rejects(resolveOwner('app:ghosts', read), (e: Error & { code?: string }) => e.code === 'ERR_UNKNOWN_GROUP');
  await assert.rejects(resolveOwner('app', async () => undefined), /no matching entries in passwd file/);
});

test('ownerNeedsLookup is false only for numeric specs', () => {
  assert.equal(ownerNeedsLookup('1:2'), false);
  assert.equal(ownerNeedsLookup('app'), true);
  assert.equal(ownerNeedsLookup('1:www'), true);
});
