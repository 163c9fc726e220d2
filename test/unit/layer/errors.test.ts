import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOciKitError } from '../../../src/errors.js';
import { CompressionUnavailableError, InvalidEntryError, LayerLimitError, SourceChangedError, TarFormatError, UnsafeEntryError, printable } from '../../../src/layer/errors.js';

test('layer errors carry stable codes, name the entry and escape control characters', () => {
  const unsafe = new UnsafeEntryError('a/\x1b[2Jb', 'why');
  assert.equal(unsafe.code, 'ERR_LAYER_UNSAFE_ENTRY');
  assert.equal(unsafe.entryPath, 'a/\x1b[2Jb');
  assert.ok(unsafe.message.includes('a/\\x1b[2Jb'));
  assert.ok(unsafe.hint);
  assert.equal(new UnsafeEntryError('x', 'y', { code: 'ERR_LAYER_UNSAFE_PATH' }).code, 'ERR_LAYER_UNSAFE_PATH');
  assert.equal(new TarFormatError('m').code, 'ERR_TAR_FORMAT');
  assert.equal(new LayerLimitError('m').code, 'ERR_LAYER_LIMIT');
  assert.equal(new SourceChangedError('p', 'w').code, 'ERR_LAYER_SOURCE_CHANGED');
  assert.equal(new CompressionUnavailableError('m').code, 'ERR_COMPRESSION_UNAVAILABLE');
  assert.equal(new InvalidEntryError('p', 'w').code, 'ERR_LAYER_INVALID_ENTRY');
  assert.ok(isOciKitError(unsafe));
  assert.equal(printable('x'.repeat(400)).length, 303);
});
