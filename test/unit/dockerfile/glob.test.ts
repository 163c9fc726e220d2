import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob, globMatches, replaceMatches, trimPrefix, trimSuffix } from '../../../src/dockerfile/glob.js';

test('globMatches: stars, question marks, classes, escapes', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true],
    ['*', 'anything', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbb', false],
    ['?', 'x', true],
    ['?', '', false],
    ['[abc]x', 'bx', true],
    ['[!abc]x', 'bx', false],
    ['[^abc]x', 'dx', true],
    ['[a-f]*', 'e12', true],
    ['[]]', ']', true],
    ['[', '[', true],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['*a*a*a*a*a*b', 'a'.repeat(200), false],
    ['한*', '한국어', true],
  ];
  for (const [pattern, text, expected] of cases) assert.equal(globMatches(compileGlob(pattern), text), expected, `${pattern} ~ ${text}`);
});

test('trimPrefix / trimSuffix shortest and longest', () => {
  const g = compileGlob('*/');
  assert.equal(trimPrefix(g, 'a/b/c', false), 'b/c');
  assert.equal(trimPrefix(g, 'a/b/c', true), 'c');
  const s = compileGlob('/*');
  assert.equal(trimSuffix(s, 'a/b/c', false), 'a/b');
  assert.equal(trimSuffix(s, 'a/b/c', true), 'a');
  assert.equal(trimSuffix(compileGlob('x'), 'abc', true), 'abc');
});

test('replaceMatches: leftmost longest, first or all; empty matches replace nothing', () => {
  assert.equal(replaceMatches(compileGlob('b*'), 'abcabc', 'X', false), 'aX');
  assert.equal(replaceMatches(compileGlob('b'), 'abcabc', 'X', true), 'aXcaXc');
  assert.equal(replaceMatches(compileGlob('*'), '', 'X', true), '');
  assert.equal(replaceMatches(compileGlob('q'), 'abc', 'X', true), 'abc');
});

test('a custom escape character', () => {
  assert.equal(globMatches(compileGlob('`*', '`'), '*'), true);
  assert.equal(globMatches(compileGlob('`*', '`'), 'a'), false);
});
