import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, humanSize, timeAgo } from '../../../src/store/format.js';

test('humanSize uses decimal units and three significant digits like docker', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(13256), '13.3kB');
  assert.equal(humanSize(72_800_000), '72.8MB');
  assert.equal(humanSize(1_234_567_890), '1.23GB');
});

test('humanDuration and timeAgo speak like docker', () => {
  assert.equal(humanDuration(200), 'Less than a second');
  assert.equal(humanDuration(30_000), '30 seconds');
  assert.equal(humanDuration(60_000), 'About a minute');
  assert.equal(humanDuration(3600_000), 'About an hour');
  assert.equal(humanDuration(5 * 3600_000), '5 hours');
  assert.equal(humanDuration(3 * 86400_000), '3 days');
  assert.equal(humanDuration(21 * 86400_000), '3 weeks');
  assert.equal(humanDuration(200 * 86400_000), '6 months');
  assert.equal(humanDuration(3 * 365 * 86400_000), '3 years');
  const now = Date.parse('2026-01-10T00:00:00Z');
  assert.equal(timeAgo('2026-01-07T00:00:00Z', now), '3 days ago');
  assert.equal(timeAgo(undefined, now), '');
  assert.equal(timeAgo('not a date', now), '');
});
