import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transport } from '../../../src/registry/transport.js';
import { BlobReader } from '../../../src/registry/blob-reader.js';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

test('BlobReader resumes after a short body and gives up after the allowed retries', async (t) => {
  const data = Buffer.alloc(100_000).map((_, i) => i & 0xff);
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const part = data.subarray(start);
    const status = start > 0 ? 206 : 200;
    res.writeHead(status, { 'content-length': String(part.byteLength), ...(start > 0 ? { 'content-range': `bytes ${start}-${data.byteLength - 1}/${data.byteLength}` } : {}) });
    // Every answer stops after 30,000 bytes: the client must keep resuming.
    res.write(part.subarray(0, 30_000), () => res.socket?.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const transport = new Transport();
  t.after(() => transport.close());
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/blob`);
  const make = (maxRetries: number) =>
    new BlobReader({
      what: 'GET blob',
      size: data.byteLength,
      signal: undefined,
      fetch: (offset) => transport.send({ method: 'GET', url, headers: offset ? { range: `bytes=${offset}-` } : {} }),
      fail: async () => {
        throw new Error('unexpected status');
      },
      retryDelay: (attempt) => (attempt > maxRetries ? undefined : 1),
      onProgress: () => undefined,
      onDone: () => undefined,
    });
  assert.deepEqual(await collect(make(5)), data);
  assert.equal(requests, 4);
  await assert.rejects(collect(make(1)), { code: 'ERR_REGISTRY_NETWORK' });
});
