import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTar } from '../../../src/layer/tar-reader.js';
import { BLOCK } from '../../../src/layer/tar-format.js';
import { rawTar, streamOf } from './fixtures.js';

function gnuHeader(name: string, typeflag: string, size: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 100, 'latin1');
  b.write('0000644\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b.write(typeflag, 156, 'latin1');
  b.write('ustar  \0', 257, 'latin1'); // GNU magic: no prefix field
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)]);
}

async function names(tar: Buffer, split = 0): Promise<string[]> {
  const chunks = split > 0 ? Array.from({ length: Math.ceil(tar.length / split) }, (_, i) => tar.subarray(i * split, (i + 1) * split)) : [tar];
  const out: string[] = [];
  for await (const e of readTar(streamOf(...chunks))) out.push(`${e.type}:${e.path}${e.linkname ? `->${e.linkname}` : ''}`);
  return out;
}

test('GNU long names and long link names (L/K) are applied to the next member', async () => {
  const longName = `${'n'.repeat(150)}/file`;
  const longLink = `${'t'.repeat(130)}`;
  const tar = Buffer.concat([
    gnuHeader('././@LongLink', 'L', longName.length + 1),
    padded(Buffer.from(`${longName}\0`)),
    gnuHeader('././@LongLink', 'K', longLink.length + 1),
    padded(Buffer.from(`${longLink}\0`)),
    gnuHeader('short', '2', 0),
    Buffer.alloc(1024),
  ]);
  assert.deepEqual(await names(tar), [`symlink:${longName}->${longLink}`]);
});

test('reading works with any chunking of the input, and bodies can be left unread', async () => {
  const tar = rawTar([{ path: 'a', content: Buffer.alloc(1500, 1) }, { path: 'b', content: 'x' }, { path: 'c/', type: 'dir' }]);
  for (const split of [0, 1, 7, 511, 513, 4096]) assert.deepEqual(await names(tar, split), ['file:a', 'file:b', 'dir:c/'], `split ${split}`);
});

test('a body can be partly read and the next member is still found', async () => {
  const tar = rawTar([{ path: 'a', content: Buffer.alloc(3000, 1) }, { path: 'b', content: 'xyz' }]);
  const seen: string[] = [];
  for await (const e of readTar(streamOf(tar))) {
    for await (const piece of e.body()) {
      seen.push(`${e.path}:${piece.length > 0}`);
      break;
    }
  }
  assert.deepEqual(seen, ['a:true', 'b:true']);
});

test('pax global headers apply to later members; sparse files are refused', async () => {
  const globalPax = Buffer.from('16 uname=global\n');
  const g = gnuHeader('pax_global_header', 'g', globalPax.length);
  const tar = Buffer.concat([g, padded(globalPax), rawTar([{ path: 'a' }])]);
  for await (const e of readTar(streamOf(tar))) assert.equal(e.uname, 'global');
  const sparse = Buffer.concat([gnuHeader('s', 'S', 0), Buffer.alloc(1024)]);
  await assert.rejects(names(sparse), { code: 'ERR_TAR_UNSUPPORTED' });
});

test('unknown member types and malformed pax records are refused', async () => {
  await assert.rejects(names(Buffer.concat([gnuHeader('weird', 'Z', 0), Buffer.alloc(1024)])), { code: 'ERR_TAR_UNSUPPORTED' });
  const bad = Buffer.from('99 path=x\n');
  await assert.rejects(names(Buffer.concat([gnuHeader('p', 'x', bad.length), padded(bad), rawTar([{ path: 'a' }])])), { code: 'ERR_TAR_FORMAT' });
});

test('hardlinks and directories are header-only even when their size field is set', async () => {
  const h = gnuHeader('link', '1', 600);
  const tar = Buffer.concat([h, rawTar([{ path: 'after', content: 'z' }])]);
  assert.deepEqual(await names(tar), ['hardlink:link', 'file:after']);
});

test('an empty input is an empty archive', async () => {
  assert.deepEqual(await names(Buffer.alloc(0)), []);
});
