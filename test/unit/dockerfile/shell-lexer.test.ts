import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandWord, expandWords, ShellLexer, isGoSpace } from '../../../src/dockerfile/shell-lexer.js';
import { ExpansionError } from '../../../src/dockerfile/errors.js';

const env = { FILE: 'archive.tar.gz', PATHV: '/usr/local/bin/node', EMPTY: '', NAME: 'world', SPACED: 'a  b' };

function value(word: string, vars: Record<string, string> = env): string {
  return expandWord(word, vars).value;
}

test('pattern operators # ## % %% with glob patterns', () => {
  const cases: [string, string][] = [
    ['${FILE#*.}', 'tar.gz'],
    ['${FILE##*.}', 'gz'],
    ['${FILE%.*}', 'archive.tar'],
    ['${FILE%%.*}', 'archive'],
    ['${PATHV#/usr}', '/local/bin/node'],
    ['${PATHV##*/}', 'node'],
    ['${PATHV%/*}', '/usr/local/bin'],
    ['${FILE#nomatch}', 'archive.tar.gz'],
    ['${FILE%?z}', 'archive.tar.'],
    ['${FILE#[a-c]}', 'rchive.tar.gz'],
    ['${FILE#[!a]}', 'archive.tar.gz'],
    ['${FILE%[xyz]}', 'archive.tar.g'],
    ['${FILE##\\*}', 'archive.tar.gz'],
    ['${UNSET#x}', ''],
    ['${EMPTY%%*}', ''],
  ];
  for (const [word, expected] of cases) assert.equal(value(word), expected, word);
});

test('replacement operators / and // replace the first or every longest match', () => {
  const cases: [string, string][] = [
    ['${FILE/a/A}', 'Archive.tar.gz'],
    ['${FILE//a/A}', 'Archive.tAr.gz'],
    ['${FILE/.*/}', 'archive'],
    ['${FILE//[.]/_}', 'archive_tar_gz'],
    ['${NAME/o/0}', 'w0rld'],
    ['${NAME/x/y}', 'world'],
    ['${NAME//?/-}', '-----'],
    ['${NAME/w*l/W}', 'Wd'],
    ['${UNSET/a/b}', ''],
  ];
  for (const [word, expected] of cases) assert.equal(value(word), expected, word);
  assert.throws(() => expandWord('${NAME/o}', env), ExpansionError);
});

test('colon-less operators distinguish unset from empty', () => {
  const cases: [string, string][] = [
    ['${EMPTY-x}', ''],
    ['${EMPTY:-x}', 'x'],
    ['${UNSET-x}', 'x'],
    ['${EMPTY+x}', 'x'],
    ['${EMPTY:+x}', ''],
    ['${UNSET+x}', ''],
    ['${NAME+set}', 'set'],
    ['${EMPTY?}', ''],
    ['${NAME-${UNSET:-deep}}', 'world'],
    ['${UNSET-${NAME}}', 'world'],
  ];
  for (const [word, expected] of cases) assert.equal(value(word), expected, word);
  assert.throws(() => expandWord('${UNSET?must be set}', env), /UNSET: must be set/);
  assert.throws(() => expandWord('${EMPTY:?}', env), /EMPTY: is not allowed to be unset/);
});

test('reports the names used and the names unset, once each, in order', () => {
  const r = expandWord('$NAME ${UNSET:-$NAME} ${OTHER} $NAME', env);
  assert.deepEqual(r.used, ['NAME']);
  assert.deepEqual(r.unset, ['UNSET', 'OTHER']);
  assert.equal(r.value, 'world world  world');
});

test('onUnset: keep leaves references as written, error fails', () => {
  assert.equal(expandWord('a$X-${Y}-${Z:-d}-${W%x}', {}, { onUnset: 'keep' }).value, 'a$X-${Y}-${Z:-d}-${W%x}');
  assert.equal(expandWord('$NAME', env, { onUnset: 'keep' }).value, 'world');
  assert.throws(() => expandWord('$NOPE', {}, { onUnset: 'error' }), (err: unknown) => err instanceof ExpansionError && err.code === 'ERR_DOCKERFILE_EXPAND');
});

test('backtick escape character', () => {
  assert.equal(expandWord('a`$NAME', env, { escape: '`' }).value, 'a$NAME');
  assert.equal(expandWord('C:\\path\\$NAME', env, { escape: '`' }).value, 'C:\\path\\world');
  assert.equal(expandWord('"x`"y"', env, { escape: '`' }).value, 'x"y');
  assert.throws(() => new ShellLexer({ escape: '!' }), ExpansionError);
});

test('case-insensitive lookup for Windows semantics', () => {
  assert.equal(expandWord('$name', env, { caseInsensitive: true }).value, 'world');
  assert.equal(expandWord('$name', env).value, '');
});

test('environment as Map or function', () => {
  assert.equal(expandWord('$A', new Map([['A', '1']])).value, '1');
  assert.equal(expandWord('$A$B', (n) => (n === 'A' ? 'x' : undefined)).value, 'x');
});

test('word splitting keeps quoted text together', () => {
  assert.deepEqual(expandWords('a $SPACED "$SPACED" c\\ d', env).words, ['a', 'a', 'b', 'a  b', 'c d']);
  assert.deepEqual(expandWords('  ', env).words, []);
});

test('raw quotes and raw escapes keep the characters', () => {
  assert.equal(expandWord(`'a' "b" \\c`, {}, { rawQuotes: true, rawEscapes: true }).value, `'a' "b" \\c`);
});

test('errors carry the word', () => {
  try {
    expandWord('x${', {});
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ExpansionError);
    assert.equal(err.word, 'x${');
  }
});

test('isGoSpace follows Go unicode.IsSpace', () => {
  for (const ch of [' ', '\t', '\n', '\v', '\f', '\r', '\u0085', '\u00a0', '\u2003', '\u3000']) assert.ok(isGoSpace(ch), JSON.stringify(ch));
  for (const ch of ['a', '\ufeff', '\u200b', '_']) assert.ok(!isGoSpace(ch), JSON.stringify(ch));
});
