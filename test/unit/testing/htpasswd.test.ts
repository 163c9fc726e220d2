import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { parseHtpasswd } from '../../../src/testing/htpasswd.js';

test('bcrypt and {SHA} entries verify; others are refused when read', async () => {
  const hash = bcrypt.hashSync('pw1', 4).replace(/^\$2b\$/, '$2y$');
  const sha = `{SHA}${createHash('sha1').update('pw2').digest('base64')}`;
  const verify = parseHtpasswd(`# users\nann:${hash}\nbob:${sha}\n`);
  assert.equal(await verify('ann', 'pw1'), true);
  assert.equal(await verify('ann', 'nope'), false);
  assert.equal(await verify('bob', 'pw2'), true);
  assert.equal(await verify('bob', 'pw1'), false);
  assert.equal(await verify('carl', 'pw1'), false);
  assert.throws(() => parseHtpasswd('dan:$apr1$abc$def'), { code: 'ERR_INVALID_HTPASSWD' });
});
