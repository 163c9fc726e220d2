import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJsonPrefix, JsonSyntaxError } from '../../../src/dockerfile/json-prefix.js';

test('decodes the first value and reports where it ended', () => {
  assert.deepEqual(decodeJsonPrefix('["a", "b"] trailing'), { value: ['a', 'b'], end: 10 });
  assert.deepEqual(decodeJsonPrefix(' \t[]').value, []);
  assert.deepEqual(decodeJsonPrefix('[1, true, null, {"k": [2.5e3]}]').value, [1, true, null, { k: [2500] }]);
});

test('string escapes like Go: \\u pairs, lone surrogates become U+FFFD', () => {
  assert.equal((decodeJsonPrefix('["\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000"]').value as string[])[0], '" \\ / \b \f \n \r \t \u0000');
  assert.equal((decodeJsonPrefix('["\\ud83d\\ude00"]').value as string[])[0], '😀');
  assert.equal((decodeJsonPrefix('["\\ud83d x"]').value as string[])[0], '\ufffd x');
  assert.equal((decodeJsonPrefix('["\\ude00"]').value as string[])[0], '\ufffd');
});

test('invalid JSON throws JsonSyntaxError', () => {
  for (const text of ['[', '["a"', "['a']", '["a",]', '["\\x"]', '["a\nb"]', '[01]', '[tru]', '{"a" 1}', '[' .repeat(6000)]) {
    assert.throws(() => decodeJsonPrefix(text), JsonSyntaxError, text.slice(0, 20));
  }
});
