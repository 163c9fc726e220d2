import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, parseJsonBytes } from '../../../src/image/json.js';

const fail = (field: string, problem: string): Error => new Error(`${field}: ${problem}`);

test('canonicalJson writes compact JSON in the given key order, UTF-8', () => {
  assert.equal(canonicalJson({ b: 1, a: [1, 'x'], c: { z: true } }).toString(), '{"b":1,"a":[1,"x"],"c":{"z":true}}');
  assert.equal(canonicalJson({ a: undefined, b: 'é' }).toString('utf8'), '{"b":"é"}');
  assert.deepEqual(canonicalJson({ b: 'é' }), Buffer.from([0x7b, 0x22, 0x62, 0x22, 0x3a, 0x22, 0xc3, 0xa9, 0x22, 0x7d]));
  assert.throws(() => canonicalJson(undefined), TypeError);
});

test('parseJsonBytes parses bytes and strings, reporting failures through `fail`', () => {
  assert.deepEqual(parseJsonBytes(Buffer.from('{"a":1}'), fail), { a: 1 });
  assert.deepEqual(parseJsonBytes('[1]', fail), [1]);
  assert.throws(() => parseJsonBytes('{', fail), /^Error: \$: is not valid JSON/);
  assert.throws(() => parseJsonBytes(Buffer.from([0xc3]), fail), /not valid UTF-8/);
  assert.throws(() => parseJsonBytes('[1, 2]', fail, 5), /is 6 bytes, more than the 5 bytes allowed/);
});
