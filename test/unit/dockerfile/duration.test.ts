import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, parseGoDuration } from '../../../src/dockerfile/duration.js';

test('parses Go durations to nanoseconds', () => {
  const cases: [string, number][] = [
    ['0', 0], ['0s', 0], ['5s', 5e9], ['1m30s', 90e9], ['1.5h', 5400e9], ['300ms', 3e8], ['10us', 1e4], ['10µs', 1e4],
    ['7ns', 7], ['-2s', -2e9], ['+1m', 60e9], ['.5s', 5e8], ['1h2m3s4ms', 3723004000000],
  ];
  for (const [text, ns] of cases) assert.equal(parseGoDuration(text), ns, text);
});

test('rejects what Go rejects', () => {
  for (const text of ['', '5', 's', '1x', '1s2', '.s', '1 s', '--1s', '9999999999999h']) assert.equal(parseGoDuration(text), undefined, text);
});

test('formats like Duration.String', () => {
  assert.equal(formatGoDuration(0), '0s');
  assert.equal(formatGoDuration(90e9), '1m30s');
  assert.equal(formatGoDuration(3600e9), '1h0m0s');
  assert.equal(formatGoDuration(5e8), '500ms');
  assert.equal(formatGoDuration(1500), '1.5µs');
});
