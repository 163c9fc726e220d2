import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTar, type WritableEntry } from '../../../src/layer/tar-writer.js';
import { readTar } from '../../../src/layer/tar-reader.js';
import type { TarHeader } from '../../../src/layer/tar-format.js';
import { tempDir } from '../../helpers/tmp.js';
import { streamOf } from './fixtures.js';

const h = (path: string, size: number, type: TarHeader['type'] = 'file'): TarHeader => ({ path, type, mode: 0o644, uid: 0, gid: 0, size, mtime: 0, linkname: '', uname: '', gname: '', devmajor: 0, devminor: 0, xattrs: undefined });

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return out;
}

test('chunks have exactly the chunk size except the last, whatever the content sources', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'f');
  writeFileSync(file, Buffer.alloc(10_000, 3));
  const entries: WritableEntry[] = [
    { header: h('a', 5000), content: Buffer.alloc(5000, 1) },
    { header: h('b', 10_000), sourcePath: file },
    {
      header: h('c', 7),
      content: async function* () {
        yield Buffer.from('abc');
        yield Buffer.from('defg');
      },
    },
    { header: h('d/', 0, 'dir') },
  ];
  const chunks = await collect(writeTar(entries, 4096));
  for (const c of chunks.slice(0, -1)) assert.equal(c.length, 4096);
  const whole = Buffer.concat(chunks);
  assert.equal(whole.length % 512, 0);
  const seen: [string, string][] = [];
  for await (const e of readTar(streamOf(whole))) {
    const body: Buffer[] = [];
    for await (const piece of e.body()) body.push(Buffer.from(piece));
    seen.push([e.path, Buffer.concat(body).subarray(0, 4).toString('hex')]);
  }
  assert.deepEqual(seen, [['a', '01010101'], ['b', '03030303'], ['c', '61626364'], ['d/', '']]);
});

test('an archive ends in two zero blocks', async () => {
  const whole = Buffer.concat(await collect(writeTar([{ header: h('x', 1), content: Buffer.from('x') }])));
  assert.equal(whole.length, 512 * 4);
  assert.ok(whole.subarray(1024).every((b) => b === 0));
});

test('content that does not match the size is refused', async () => {
  await assert.rejects(collect(writeTar([{ header: h('x', 5), content: Buffer.from('abc') }])), { code: 'ERR_LAYER_INVALID_ENTRY' });
  const tooLong = async function* (): AsyncGenerator<Uint8Array> {
    yield Buffer.from('abcdef');
  };
  await assert.rejects(collect(writeTar([{ header: h('x', 5), content: tooLong }])), { code: 'ERR_LAYER_INVALID_ENTRY' });
});

test('a source file that shrank or grew while being written is refused', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'f');
  writeFileSync(file, 'short');
  await assert.rejects(collect(writeTar([{ header: h('f', 100), sourcePath: file }])), { code: 'ERR_LAYER_SOURCE_CHANGED' });
  await assert.rejects(collect(writeTar([{ header: h('f', 2), sourcePath: file }])), { code: 'ERR_LAYER_SOURCE_CHANGED' });
});
