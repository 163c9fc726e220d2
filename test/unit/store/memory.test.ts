import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/store/memory.js';
import { storeContract } from './contract.js';

storeContract('MemoryStore', async () => new MemoryStore());

test('MemoryStore keeps its own copy of put buffers', async () => {
  const store = new MemoryStore();
  const data = Buffer.from('mutable');
  const { digest } = await store.put(data);
  data.fill(0);
  assert.equal((await store.get(digest)).toString(), 'mutable');
});
