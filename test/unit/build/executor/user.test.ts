import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGroup, parsePasswd, resolveUser, resolveUserSpec } from '../../../../src/build/executor/user.js';
import { isOciKitError } from '../../../../src/errors.js';
import { tempDir } from '../../../helpers/tmp.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  '# a comment',
  'app:x:1000:1000:App:/home/app:/bin/sh',
  'broken-line',
  'svc:x:999:50::/srv:/bin/false',
  'nohome:x:1001:1001:::/bin/sh',
].join('\n');
const GROUP = ['root:x:0:', 'app:x:1000:', 'staff:x:50:', 'audio:x:29:app,svc', 'video:x:44: app ', 'junk'].join('\n');
const passwd = parsePasswd(PASSWD);
const groups = parseGroup(GROUP);

test('parsePasswd and parseGroup skip comments and malformed lines', () => {
  assert.deepEqual(
    passwd.map((e) => e.name),
    ['root', 'app', 'svc', 'nohome'],
  );
  assert.deepEqual(groups.find((g) => g.name === 'video')?.members, ['app']);
  assert.equal(groups.length, 5);
});

test('no user means root with root\'s home', () => {
  assert.deepEqual(resolveUserSpec(undefined, passwd, groups), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  assert.deepEqual(resolveUserSpec('', [], []), { uid: 0, gid: 0, additionalGids: [], home: '/' });
});

test('a name resolves uid, primary gid, home and supplementary groups', () => {
  assert.deepEqual(resolveUserSpec('app', passwd, groups), { uid: 1000, gid: 1000, additionalGids: [29, 44], home: '/home/app' });
  assert.deepEqual(resolveUserSpec('svc', passwd, groups), { uid: 999, gid: 50, additionalGids: [29], home: '/srv' });
});

test('a numeric uid in passwd uses its entry; one not in passwd runs with gid 0 and home /', () => {
  assert.deepEqual(resolveUserSpec('1000', passwd, groups), { uid: 1000, gid: 1000, additionalGids: [29, 44], home: '/home/app' });
  assert.deepEqual(resolveUserSpec('4242', passwd, groups), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
});

test('an explicit group (name or number) replaces the primary group and drops supplementary ones', () => {
  assert.deepEqual(resolveUserSpec('app:staff', passwd, groups), { uid: 1000, gid: 50, additionalGids: [], home: '/home/app' });
  assert.deepEqual(resolveUserSpec('4242:777', passwd, groups), { uid: 4242, gid: 777, additionalGids: [], home: '/' });
  assert.deepEqual(resolveUserSpec('1001:', passwd, groups), { uid: 1001, gid: 1001, additionalGids: [], home: '/' });
});

test('unknown names are errors like Docker\'s', () => {
  assert.throws(() => resolveUserSpec('ghost', passwd, groups), (err) => isOciKitError(err, 'ERR_UNKNOWN_USER') && /unable to find user ghost/.test(err.message));
  assert.throws(() => resolveUserSpec('app:ghosts', passwd, groups), (err) => isOciKitError(err, 'ERR_UNKNOWN_USER') && /unable to find group ghosts/.test(err.message));
  assert.throws(() => resolveUserSpec('99999999999', passwd, groups), (err) => isOciKitError(err, 'ERR_UNKNOWN_USER'));
});

test('resolveUser reads the rootfs files and never follows a symlink out of the rootfs', async (t) => {
  const dir = await tempDir(t);
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  mkdirSync(join(dir, 'host-etc'));
  writeFileSync(join(dir, 'host-etc', 'passwd'), 'hostonly:x:5:5::/:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc', 'group'), 'grp:x:7:\n');
  writeFileSync(join(rootfs, 'etc', 'real-passwd'), 'inimage:x:8:7::/home/in:/bin/sh\n');
  // an absolute symlink is resolved against the rootfs, not the host
  symlinkSync('/etc/real-passwd', join(rootfs, 'etc', 'passwd'));
  assert.deepEqual(resolveUser(rootfs, 'inimage'), { uid: 8, gid: 7, additionalGids: [], home: '/home/in' });
  // a link to the host's file by absolute path points into the rootfs, where there is nothing
  const other = join(dir, 'other');
  mkdirSync(join(other, 'etc'), { recursive: true });
  symlinkSync(join(dir, 'host-etc', 'passwd'), join(other, 'etc', 'passwd'));
  assert.throws(() => resolveUser(other, 'hostonly'), (err) => isOciKitError(err, 'ERR_UNKNOWN_USER'));
  assert.deepEqual(resolveUser(join(dir, 'empty-rootfs-does-not-exist'), '12:13'), { uid: 12, gid: 13, additionalGids: [], home: '/' });
});
