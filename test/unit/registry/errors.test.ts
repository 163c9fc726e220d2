import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryError, errorFromResponse, parseSpecErrors } from '../../../src/registry/errors.js';

test('spec error bodies become typed errors with both codes', () => {
  const body = Buffer.from(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }] }));
  const err = errorFromResponse('GET manifest r/a:x', 404, body);
  assert.ok(err instanceof RegistryError);
  assert.equal(err.code, 'ERR_REGISTRY_NOT_FOUND');
  assert.equal(err.registryCode, 'MANIFEST_UNKNOWN');
  assert.equal(err.status, 404);
  assert.match(err.message, /GET manifest r\/a:x failed: MANIFEST_UNKNOWN: manifest unknown \(HTTP 404\)/);
});

test('status decides the code when there is no body', () => {
  assert.equal(errorFromResponse('x', 401, undefined).code, 'ERR_REGISTRY_UNAUTHORIZED');
  assert.equal(errorFromResponse('x', 403, undefined).code, 'ERR_REGISTRY_DENIED');
  assert.equal(errorFromResponse('x', 429, undefined).code, 'ERR_REGISTRY_TOO_MANY_REQUESTS');
  assert.equal(errorFromResponse('x', 503, undefined).code, 'ERR_REGISTRY_UNAVAILABLE');
  assert.equal(errorFromResponse('x', 400, undefined).code, 'ERR_REGISTRY_INVALID');
  assert.ok(errorFromResponse('x', 401, undefined).hint);
});

test('parseSpecErrors ignores what is not a spec body', () => {
  assert.deepEqual(parseSpecErrors(Buffer.from('<html>')), []);
  assert.deepEqual(parseSpecErrors(Buffer.from('{"errors":[{"nocode":1},{"code":"DENIED"}]}')), [{ code: 'DENIED' }]);
});
