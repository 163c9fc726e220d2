import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerfileParseError, ExpansionError } from '../../../src/dockerfile/errors.js';
import { OciKitError } from '../../../src/errors.js';

test('DockerfileParseError carries the location, the bare reason and a hint', () => {
  const err = new DockerfileParseError('unknown flag: --x', { line: 3, column: 5, filename: 'a/Dockerfile', hint: 'remove it' });
  assert.ok(err instanceof OciKitError);
  assert.deepEqual([err.code, err.message, err.reason, err.line, err.column, err.filename, err.hint], [
    'ERR_DOCKERFILE_PARSE', 'a/Dockerfile:3:5: unknown flag: --x', 'unknown flag: --x', 3, 5, 'a/Dockerfile', 'remove it',
  ]);
  const defaults = new DockerfileParseError('x', { line: 1 });
  assert.deepEqual([defaults.filename, defaults.column, defaults.hint], ['Dockerfile', 1, undefined]);
});

test('ExpansionError keeps the word', () => {
  const err = new ExpansionError('bad substitution', '${}');
  assert.deepEqual([err.code, err.word, err.name], ['ERR_DOCKERFILE_EXPAND', '${}', 'ExpansionError']);
});
