// The behaviour every ImageStore implementation must have (BlobStore + ReferenceStore). Each
// implementation's test file calls storeContract with a factory for fresh, empty stores.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { digestOf } from '../../../src/digest/hasher.js';
import type { Digest } from '../../../src/digest/digest.js';
import type { ImageStore } from '../../../src/store/blob-store.js';
import type { Descriptor } from '../../../src/image/types.js';

export type StoreFactory = (t: TestContext) => Promise<ImageStore>;

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listAll(store: ImageStore): Promise<Digest[]> {
  const out: Digest[] = [];
  for await (const d of store.list()) out.push(d);
  return out.sort();
}

async function* chunked(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function* failingAfter(first: Buffer): AsyncGenerator<Uint8Array> {
  yield first;
  throw new Error('source broke');
}

function code(expected: string) {
  return (err: unknown) => {
    assert.equal((err as { code?: string }).code, expected, `expected ${expected}, got ${String(err)}`);
    return true;
  };
}

/** Registers the contract tests for one implementation. */
export function storeContract(name: string, factory: StoreFactory): void {
  const t0 = (title: string, fn: (store: ImageStore, t: TestContext) => Promise<void>) =>
    test(`${name} contract: ${title}`, async (t) => fn(await factory(t), t));

  t0('put bytes, then has/stat/get/open return them', async (store) => {
    const data = Buffer.from('hello blob');
    const info = await store.put(data);
    assert.deepEqual(info, { digest: digestOf(data), size: data.length });
    assert.equal(await store.has(info.digest), true);
    assert.deepEqual(await store.stat(info.digest), info);
    assert.deepEqual(await store.get(info.digest), data);
    assert.deepEqual(await readAll(await store.open(info.digest)), data);
  });

  t0('put a string stores its UTF-8 bytes', async (store) => {
    const info = await store.put('héllo');
    assert.deepEqual(await store.get(info.digest), Buffer.from('héllo', 'utf8'));
    assert.equal(info.size, 6);
  });

  t0('put from a chunked stream with the right digest and size', async (store) => {
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
    const digest = digestOf(data);
    const info = await store.put(chunked(data, 4096), { digest, size: data.length });
    assert.deepEqual(info, { digest, size: data.length });
    assert.deepEqual(await store.get(digest), data);
    const fromReadable = await store.put(Readable.from(chunked(data, 10_000)));
    assert.equal(fromReadable.digest, digest);
  });

  t0('an empty blob is a blob', async (store) => {
    const info = await store.put(Buffer.alloc(0), { size: 0 });
    assert.equal(info.digest, digestOf(''));
    assert.deepEqual(await store.get(info.digest), Buffer.alloc(0));
  });

  t0('put of existing content is idempotent', async (store) => {
    const a = await store.put('same');
    const b = await store.put('same');
    assert.deepEqual(a, b);
    assert.deepEqual(await listAll(store), [a.digest]);
  });

  t0('wrong digest: ERR_DIGEST_MISMATCH and nothing stored', async (store) => {
    const wrong = digestOf('other');
    await assert.rejects(store.put('content', { digest: wrong }), code('ERR_DIGEST_MISMATCH'));
    assert.equal(await store.has(wrong), false);
    assert.equal(await store.has(digestOf('content')), false);
    assert.deepEqual(await listAll(store), []);
  });

  t0('wrong size (short or long): ERR_SIZE_MISMATCH and nothing stored', async (store) => {
    const data = Buffer.from('twelve bytes');
    await assert.rejects(store.put(data, { size: 11 }), code('ERR_SIZE_MISMATCH'));
    await assert.rejects(store.put(chunked(data, 3), { size: 13, digest: digestOf(data) }), code('ERR_SIZE_MISMATCH'));
    assert.deepEqual(await listAll(store), []);
  });

  t0('a source that fails part way leaves nothing behind', async (store) => {
    await assert.rejects(store.put(failingAfter(Buffer.from('partial'))), /source broke/);
    assert.deepEqual(await listAll(store), []);
  });

  t0('an aborted put rejects and leaves nothing behind', async (store) => {
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await assert.rejects(store.put('x', { signal: controller.signal }), /stop now/);
    assert.deepEqual(await listAll(store), []);
  });

  t0('a sha512 digest is verified with sha512 and stored under it', async (store) => {
    const digest = digestOf('five-twelve', 'sha512');
    const info = await store.put('five-twelve', { digest });
    assert.equal(info.digest, digest);
    assert.equal(await store.has(digest), true);
    assert.deepEqual(await store.get(digest), Buffer.from('five-twelve'));
  });

  t0('missing blobs: stat undefined, get/open ERR_BLOB_NOT_FOUND, delete false', async (store) => {
    const missing = digestOf('never stored');
    assert.equal(await store.has(missing), false);
    assert.equal(await store.stat(missing), undefined);
    await assert.rejects(store.get(missing), code('ERR_BLOB_NOT_FOUND'));
    await assert.rejects(store.open(missing), code('ERR_BLOB_NOT_FOUND'));
    assert.equal(await store.delete(missing), false);
  });

  t0('malformed digests are rejected with ERR_INVALID_DIGEST', async (store) => {
    await assert.rejects(store.has('sha256:xyz' as Digest), code('ERR_INVALID_DIGEST'));
    await assert.rejects(store.get('../../etc:passwd' as Digest), code('ERR_INVALID_DIGEST'));
  });

  t0('delete removes a blob; list shows what is left', async (store) => {
    const a = await store.put('a');
    const b = await store.put('b');
    const c = await store.put('c');
    assert.deepEqual(await listAll(store), [a.digest, b.digest, c.digest].sort());
    assert.equal(await store.delete(b.digest), true);
    assert.equal(await store.has(b.digest), false);
    assert.deepEqual(await listAll(store), [a.digest, c.digest].sort());
  });

  const manifestOf = async (store: ImageStore, text: string): Promise<Descriptor> => {
    const info = await store.put(text);
    return { mediaType: MANIFEST, digest: info.digest, size: info.size };
  };

  t0('tags: set, resolve, list, replace, remove', async (store) => {
    const one = await manifestOf(store, '{"one":1}');
    const two = { ...(await manifestOf(store, '{"two":2}')), annotations: { 'org.example.kept': 'yes' } };
    assert.deepEqual(await store.listTags(), []);
    assert.equal(await store.resolveTag('docker.io/library/hello:latest'), undefined);
    await store.setTag('docker.io/library/hello:latest', one);
    await store.setTag('localhost:5000/a/b:v1', two);
    assert.deepEqual(await store.resolveTag('docker.io/library/hello:latest'), one);
    assert.deepEqual(await store.resolveTag('localhost:5000/a/b:v1'), two);
    const listed = (await store.listTags()).sort((x, y) => x.name.localeCompare(y.name));
    assert.deepEqual(listed, [
      { name: 'docker.io/library/hello:latest', descriptor: one },
      { name: 'localhost:5000/a/b:v1', descriptor: two },
    ]);
    await store.setTag('docker.io/library/hello:latest', two);
    assert.deepEqual(await store.resolveTag('docker.io/library/hello:latest'), two);
    assert.equal((await store.listTags()).length, 2);
    assert.equal(await store.removeTag('docker.io/library/hello:latest'), true);
    assert.equal(await store.removeTag('docker.io/library/hello:latest'), false);
    assert.equal(await store.resolveTag('docker.io/library/hello:latest'), undefined);
    assert.deepEqual(
      (await store.listTags()).map((x) => x.name),
      ['localhost:5000/a/b:v1'],
    );
    // Removing a tag never removes content: that is garbage collection's job.
    assert.equal(await store.has(one.digest), true);
  });

  t0('two tags may point at the same descriptor', async (store) => {
    const one = await manifestOf(store, '{"shared":true}');
    await store.setTag('docker.io/library/a:1', one);
    await store.setTag('docker.io/library/a:2', one);
    assert.deepEqual(await store.resolveTag('docker.io/library/a:1'), one);
    assert.deepEqual(await store.resolveTag('docker.io/library/a:2'), one);
    await store.removeTag('docker.io/library/a:1');
    assert.deepEqual(await store.resolveTag('docker.io/library/a:2'), one);
  });

  t0('returned descriptors are copies: mutating them does not change the store', async (store) => {
    const one = await manifestOf(store, '{"copy":1}');
    await store.setTag('docker.io/library/c:1', one);
    const got = (await store.resolveTag('docker.io/library/c:1'))!;
    got.size = 1;
    one.size = 2;
    assert.equal((await store.resolveTag('docker.io/library/c:1'))!.size, '{"copy":1}'.length);
  });

  t0('setTag rejects invalid names, invalid descriptors and missing blobs', async (store) => {
    const one = await manifestOf(store, '{"v":1}');
    await assert.rejects(store.setTag('', one), code('ERR_INVALID_TAG'));
    await assert.rejects(store.setTag('has space:1', one), code('ERR_INVALID_TAG'));
    await assert.rejects(store.setTag('docker.io/library/x:1', { ...one, digest: 'sha256:nope' as Digest }), code('ERR_INVALID_DESCRIPTOR'));
    await assert.rejects(store.setTag('docker.io/library/x:1', { ...one, size: -1 }), code('ERR_INVALID_DESCRIPTOR'));
    await assert.rejects(
      store.setTag('docker.io/library/x:1', { ...one, digest: digestOf('absent') }),
      code('ERR_BLOB_NOT_FOUND'),
    );
    assert.deepEqual(await store.listTags(), []);
  });
}
