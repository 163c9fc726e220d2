import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { formatBytes, progressLine } from '../../../src/archive/progress.js';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 200 });
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

test('draws a bar with sizes on a terminal, throttled, and clears it at the end', () => {
  const out = capture(true);
  let now = 0;
  const line = progressLine(out.stream, 'Saving', { now: () => now });
  line.total(2_000_000);
  now = 1000;
  line.update(1_000_000);
  now = 1050;
  line.update(1_500_000); // within the interval: not drawn
  line.finish();
  const text = out.text();
  assert.match(text, /\rSaving \[=+ +\] 1\.00 MB\/2\.00 MB 1\.00 MB\/s/);
  assert.ok(!text.includes('1.50 MB'));
  assert.ok(text.endsWith('\r\x1b[K'));
});

test('draws nothing when the stream is not a terminal', () => {
  const out = capture(false);
  const line = progressLine(out.stream, 'Loading', { now: () => 5000 });
  line.update(10);
  line.finish();
  assert.equal(out.text(), '');
});

test('formatBytes uses powers of 1000 like docker', () => {
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1500), '1.50 kB');
  assert.equal(formatBytes(123_456_789), '123.5 MB');
  assert.equal(formatBytes(5e9), '5.00 GB');
});
