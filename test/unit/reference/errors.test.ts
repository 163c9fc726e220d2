import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidReferenceError, ERR_INVALID_REFERENCE } from '../../../src/reference/errors.js';
import { InvalidInputError } from '../../../src/errors.js';

test('InvalidReferenceError is an InvalidInputError with the reference code and parts', () => {
  const cause = new Error('inner');
  const err = new InvalidReferenceError('Bad', 'invalid reference format', { cause, hint: 'try lower case' });
  assert.ok(err instanceof InvalidInputError);
  assert.equal(err.code, ERR_INVALID_REFERENCE);
  assert.equal(err.message, 'invalid reference "Bad": invalid reference format');
  assert.equal(err.input, 'Bad');
  assert.equal(err.reason, 'invalid reference format');
  assert.equal(err.hint, 'try lower case');
  assert.equal(err.cause, cause);
  assert.equal(err.name, 'InvalidReferenceError');
});

test('very long input is shortened in the message but kept whole in `input`', () => {
  const input = 'x'.repeat(1000);
  const err = new InvalidReferenceError(input, 'invalid reference format');
  assert.ok(err.message.length < 400);
  assert.equal(err.input, input);
});
