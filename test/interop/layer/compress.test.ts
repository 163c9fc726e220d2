// Our compressed layers against the reference CLIs: GNU gzip reads our multi-member gzip, the
// `zstd` CLI reads what every zstd encoder of ours writes (CLI child and WASM frames), and our
// reader reads what the CLI writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { compressStream, decompressStream, sniffCompression } from '../../../src/layer/compress.js';
import { requireTool } from '../../helpers/tools.js';
import { chunks, collect, sample, streamOf } from '../../unit/layer/fixtures.js';

test('GNU gzip reads our multi-member gzip', async () => {
  requireTool('gzip');
  const data = sample(5 * 65536 + 77);
  const a = await collect(compressStream(streamOf(...chunks(data, 65536)), 'gzip', { concurrency: 3 }));
  const gz = spawnSync('gzip', ['-dc'], { input: a, maxBuffer: 1 << 30 });
  assert.equal(gz.status, 0);
  assert.deepEqual(gz.stdout, data);
});

for (const encoder of ['cli', 'wasm'] as const) {
  test(`the zstd CLI reads zstd written by our ${encoder} encoder, and so does our reader`, async () => {
    requireTool('zstd');
    const data = sample(9 * 1024 * 1024 + 5);
    const z = await collect(compressStream(streamOf(...chunks(data, 1 << 20)), 'zstd', { zstdEncoder: encoder }));
    assert.equal(sniffCompression(z), 'zstd');
    const cli = spawnSync('zstd', ['-dc'], { input: z, maxBuffer: 1 << 30 });
    assert.equal(cli.status, 0, cli.stderr.toString());
    assert.deepEqual(cli.stdout, data);
    assert.deepEqual(await collect(decompressStream(streamOf(z))), data);
  });
}

test('our reader reads zstd written by the CLI', async () => {
  requireTool('zstd');
  const data = sample(70_000);
  const z = spawnSync('zstd', ['-q', '-c'], { input: data }).stdout;
  assert.deepEqual(await collect(decompressStream(streamOf(...chunks(z, 1000)))), data);
});
