import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultMatches, takeFault, type ActiveFault } from '../../../src/testing/faults.js';

test('faults match by method and path, skip N and fire `times` times', () => {
  const faults: ActiveFault[] = [{ match: { method: 'GET', path: /\/blobs\// }, action: { type: 'drop' }, skip: 1, times: 2, seen: 0, fired: 0 }];
  assert.equal(faultMatches(faults[0]!, 'PUT', '/v2/a/blobs/x'), false);
  const fired = ['GET', 'GET', 'PUT', 'GET', 'GET'].map((m) => takeFault(faults, m, '/v2/a/blobs/sha256:x')?.type);
  assert.deepEqual(fired, [undefined, 'drop', undefined, 'drop', undefined]);
});
