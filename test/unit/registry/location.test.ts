import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseImageLocation } from '../../../src/registry/location.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { tempDir } from '../../helpers/tmp.js';

test('locations: plain and docker:// references, oci:DIR:NAME, store:NAME', async (t) => {
  assert.deepEqual(await parseImageLocation('localhost:5000/a:1'), { type: 'registry', reference: 'localhost:5000/a:1' });
  assert.deepEqual(await parseImageLocation('docker://alpine'), { type: 'registry', reference: 'alpine' });
  const dir = join(await tempDir(t), 'layout');
  const oci = await parseImageLocation(`oci:${dir}:app:1`, { create: true });
  assert.equal(oci.type, 'store');
  assert.equal(oci.type === 'store' && oci.name, 'app:1');
  const store = new MemoryStore();
  const named = await parseImageLocation('store:docker.io/library/x:1', { openStore: async () => store });
  assert.deepEqual(named, { type: 'store', store, name: 'docker.io/library/x:1' });
  await assert.rejects(parseImageLocation(`oci:${dir}`), { code: 'ERR_INVALID_LOCATION' });
});
