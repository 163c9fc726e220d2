import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachLimit } from '../../../src/registry/limit.js';

test('forEachLimit never runs more than the limit at once and visits every item', async () => {
  let running = 0;
  let peak = 0;
  const seen: number[] = [];
  await forEachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setImmediate(r));
    seen.push(n);
    running--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
});

test('forEachLimit rejects with the first error and starts nothing after it', async () => {
  const started: number[] = [];
  await assert.rejects(
    forEachLimit([1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(started, [1, 2]);
});
