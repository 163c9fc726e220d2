import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK, decodeHeader, encodeHeader, formatPaxTime, parsePax, type TarHeader } from '../../../src/layer/tar-format.js';
import { readTar } from '../../../src/layer/tar-reader.js';
import { streamOf } from './fixtures.js';

const base: TarHeader = { path: 'etc/hosts', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000, linkname: '', uname: '', gname: '', devmajor: 0, devminor: 0, xattrs: undefined };

async function roundTrip(h: TarHeader): Promise<TarHeader & { rawPath: string }> {
  const tar = Buffer.concat([encodeHeader(h), Buffer.alloc(Math.ceil(h.size / BLOCK) * BLOCK), Buffer.alloc(1024)]);
  for await (const e of readTar(streamOf(tar))) {
    const { body: _body, ...rest } = e;
    return rest;
  }
  throw new Error('no entry');
}

test('short ASCII headers are a single ustar block with a valid checksum and empty uname/gname', () => {
  const block = encodeHeader(base);
  assert.equal(block.length, BLOCK);
  assert.equal(block.toString('latin1', 257, 263), 'ustar\0');
  assert.equal(block.toString('latin1', 263, 265), '00');
  const raw = decodeHeader(block);
  assert.equal(raw.name, 'etc/hosts');
  assert.equal(raw.uname, '');
  assert.equal(raw.mtime, 1_700_000_000);
});

test('paths up to 256 bytes use the ustar prefix field, no pax', async () => {
  const path = `${'p'.repeat(150)}/${'n'.repeat(99)}`;
  const block = encodeHeader({ ...base, path });
  assert.equal(block.length, BLOCK);
  assert.equal((await roundTrip({ ...base, path })).path, path);
});

test('pax is used exactly where ustar cannot express a field', async () => {
  const cases: [string, Partial<TarHeader>, (h: TarHeader) => void][] = [
    ['300-byte path', { path: `${'a'.repeat(120)}/${'b'.repeat(100)}/${'c'.repeat(78)}` }, (h) => assert.equal(h.path.length, 300)],
    ['UTF-8 path', { path: 'héllo/日本語.txt' }, (h) => assert.equal(h.path, 'héllo/日本語.txt')],
    ['long symlink target', { type: 'symlink', linkname: 'x/'.repeat(80) }, (h) => assert.equal(h.linkname, 'x/'.repeat(80))],
    ['uid over 2097151', { uid: 3_000_000, gid: 2_097_152 }, (h) => assert.deepEqual([h.uid, h.gid], [3_000_000, 2_097_152])],
    ['sub-second mtime', { mtime: 1_700_000_000.25 }, (h) => assert.equal(h.mtime, 1_700_000_000.25)],
    ['negative mtime', { mtime: -5 }, (h) => assert.equal(h.mtime, -5)],
    ['xattrs', { xattrs: { 'security.capability': Buffer.from([1, 0, 0, 2, 0, 0x20]), 'user.a': Buffer.from('b') } }, (h) => {
      assert.deepEqual(Buffer.from(h.xattrs?.['security.capability'] ?? []), Buffer.from([1, 0, 0, 2, 0, 0x20]));
      assert.equal(Buffer.from(h.xattrs?.['user.a'] ?? []).toString(), 'b');
    }],
  ];
  for (const [name, patch, check] of cases) {
    const h = { ...base, ...patch };
    const encoded = encodeHeader(h);
    assert.ok(encoded.length > BLOCK, `${name} needs a pax header`);
    assert.equal(String.fromCharCode(encoded[156] as number), 'x', name);
    check(await roundTrip(h));
  }
});

test('sizes of 8 GiB and more go to pax', () => {
  const encoded = encodeHeader({ ...base, size: 2 ** 33 });
  const pax = parsePax(encoded.subarray(BLOCK, BLOCK + decodeHeader(encoded).size));
  assert.equal(pax.get('size')?.toString(), String(2 ** 33));
});

test('pax records carry their own length, including the length digits', () => {
  // "path=" + 93 chars: the record is exactly 100 bytes, a length that changes digit count.
  const path = `é${'a'.repeat(91)}`;
  const encoded = encodeHeader({ ...base, path });
  const body = encoded.subarray(BLOCK, BLOCK + decodeHeader(encoded).size);
  const parsed = parsePax(body);
  assert.equal(parsed.get('path')?.toString('utf8'), path);
  const len = Number(body.toString('latin1', 0, body.indexOf(0x20)));
  assert.equal(len, body.length);
});

test('headers are deterministic and the pax header name carries no pid', () => {
  const h = { ...base, path: 'ünïcode' };
  assert.deepEqual(encodeHeader(h), encodeHeader(h));
  assert.match(encodeHeader(h).toString('latin1', 0, 100), /^PaxHeaders\.0\//);
});

test('formatPaxTime keeps at most nanoseconds and no trailing zeros', () => {
  assert.equal(formatPaxTime(1.5), '1.5');
  assert.equal(formatPaxTime(10), '10');
  assert.equal(formatPaxTime(1_700_000_000.000_001), '1700000000.000001');
});

test('decodeHeader rejects a bad checksum and bad octal numbers', () => {
  const block = encodeHeader(base);
  const bad = Buffer.from(block);
  bad[10] = 0x41;
  assert.throws(() => decodeHeader(bad), { code: 'ERR_TAR_FORMAT' });
});

test('device numbers and special mode bits survive', async () => {
  const h = await roundTrip({ ...base, path: 'dev/null', type: 'char', mode: 0o4755 | 0o1000, devmajor: 1, devminor: 3 });
  assert.deepEqual([h.type, h.mode, h.devmajor, h.devminor], ['char', 0o5755, 1, 3]);
});
