import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpNode, dumpTree, goQuote } from '../../../src/dockerfile/dump.js';
import { parseTree } from '../../../src/dockerfile/tree.js';

test('goQuote follows strconv.Quote', () => {
  const cases: [string, string][] = [
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\x07\b\f\n\r\t\v', '"\\a\\b\\f\\n\\r\\t\\v"'],
    ['\x00\x1b\x7f', '"\\x00\\x1b\\x7f"'],
    ['☃♥한', '"☃♥한"'],
    ['\u00a0\u200b', '"\\u00a0\\u200b"'],
    ['😀', '"😀"'],
    ['\u{e0001}', '"\\U000e0001"'],
  ];
  for (const [input, expected] of cases) assert.equal(goQuote(input), expected, JSON.stringify(input));
});

test('dumps flags, ONBUILD and argument-less instructions', () => {
  const tree = parseTree('FROM a\nCOPY --from=b x y\nONBUILD RUN ["a"]\nCMD\nBOGUS x\n');
  assert.equal(dumpNode(tree.nodes[1]!), '(copy ["--from=b"] "x" "y")');
  assert.equal(dumpTree(tree), '(from "a")\n(copy ["--from=b"] "x" "y")\n(onbuild (run "a"))\n(cmd)\n(bogus "")\n');
});
