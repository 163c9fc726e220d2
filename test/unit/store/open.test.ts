import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { openStoreForReading, openStoreForWriting } from '../../../src/store/open.js';
import { OciLayout } from '../../../src/store/layout.js';
import { tempDir } from '../../helpers/tmp.js';

test('reading a store that does not exist yet gives an empty store and creates nothing', async (t) => {
  const dir = join(await tempDir(t), 'absent');
  const store = await openStoreForReading(dir);
  assert.deepEqual(await store.listTags(), []);
  await assert.rejects(stat(dir), { code: 'ENOENT' });
});

test('writing creates the layout; reading then opens it', async (t) => {
  const dir = join(await tempDir(t), 'store');
  await openStoreForWriting(dir);
  assert.ok((await openStoreForReading(dir)) instanceof OciLayout);
});
