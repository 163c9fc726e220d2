import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describe,
  expectDigest,
  expectMediaType,
  expectStringArray,
  expectStringMap,
  isObject,
  join,
  optionalBoolean,
} from '../../../src/image/check.js';
import { D1 } from './fixtures.js';

const fail = (field: string, problem: string): Error => new Error(`${field} ${problem}`);

test('join builds readable JSON paths', () => {
  assert.equal(join('$', 'config'), 'config');
  assert.equal(join('config', 'Env'), 'config.Env');
  assert.equal(join('annotations', 'org.example'), 'annotations["org.example"]');
  assert.equal(join('$', 'os.version'), '["os.version"]');
});

test('describe names the JSON type of a value', () => {
  assert.equal(describe(null), 'null');
  assert.equal(describe([]), 'an array');
  assert.equal(describe({}), 'an object');
  assert.equal(describe(3), 'the number 3');
  assert.equal(describe('x'.repeat(50)), `the string "${'x'.repeat(40)}..."`);
  assert.equal(describe(undefined), 'the undefined undefined');
});

test('checkers accept good values and throw through fail', () => {
  assert.equal(isObject({}), true);
  assert.equal(isObject([]), false);
  assert.equal(expectDigest(D1, 'd', fail), D1);
  assert.throws(() => expectDigest('md5:00', 'd', fail), /^Error: d invalid digest/);
  assert.equal(expectMediaType('application/vnd.oci.image.manifest.v1+json', 'm', fail), 'application/vnd.oci.image.manifest.v1+json');
  assert.throws(() => expectMediaType('a/b/c', 'm', fail), /m is not a media type/);
  assert.deepEqual(expectStringArray(['a'], 'x', fail), ['a']);
  assert.throws(() => expectStringArray(['a', 2], 'x', fail), /x\[1\] must be a string/);
  assert.throws(() => expectStringMap({ k: [] }, 'm', fail), /m.k must be a string, got an array/);
  assert.throws(() => optionalBoolean({ b: 0 }, 'b', 'c', fail), /c.b must be true or false/);
  optionalBoolean({}, 'b', 'c', fail);
});
