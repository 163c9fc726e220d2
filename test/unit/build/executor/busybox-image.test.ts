import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUSYBOX_GROUP, BUSYBOX_PASSWD, busyboxEntries, findBusybox, isStaticElf } from '../../../../src/build/executor/busybox-image.js';
import { parseGroup, parsePasswd } from '../../../../src/build/executor/user.js';
import { isOciKitError } from '../../../../src/errors.js';
import { tempDir } from '../../../helpers/tmp.js';

/** A minimal little-endian ELF64 header with the given program header types. */
function elf64(programTypes: number[]): Buffer {
  const phoff = 64;
  const phentsize = 56;
  const buf = Buffer.alloc(phoff + phentsize * programTypes.length);
  buf.writeUInt32BE(0x7f454c46, 0);
  buf[4] = 2; // 64-bit
  buf[5] = 1; // little endian
  buf.writeBigUInt64LE(BigInt(phoff), 32);
  buf.writeUInt16LE(phentsize, 54);
  buf.writeUInt16LE(programTypes.length, 56);
  programTypes.forEach((type, i) => buf.writeUInt32LE(type, phoff + i * phentsize));
  return buf;
}

test('isStaticElf: no PT_INTERP means static; a loader, or not ELF at all, means not', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(join(dir, 'static'), elf64([1, 1, 4]));
  writeFileSync(join(dir, 'dynamic'), elf64([6, 3, 1]));
  writeFileSync(join(dir, 'script'), '#!/bin/sh\necho hi\n'.padEnd(80, ' '));
  assert.equal(isStaticElf(join(dir, 'static')), true);
  assert.equal(isStaticElf(join(dir, 'dynamic')), false);
  assert.equal(isStaticElf(join(dir, 'script')), false);
  assert.equal(isStaticElf(process.execPath), false, 'node is dynamically linked');
});

test('findBusybox refuses a dynamic binary and a missing one, naming the package', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(join(dir, 'busybox'), elf64([3]));
  assert.throws(() => findBusybox(join(dir, 'busybox')), (err) => isOciKitError(err, 'ERR_BUSYBOX_NOT_STATIC') && /busybox-static/.test(err.hint ?? ''));
  assert.throws(() => findBusybox(join(dir, 'nope')), (err) => isOciKitError(err, 'ERR_BUSYBOX_NOT_FOUND') && /busybox-static/.test(err.hint ?? ''));
  writeFileSync(join(dir, 'static-busybox'), elf64([1]));
  assert.equal(findBusybox(join(dir, 'static-busybox')), join(dir, 'static-busybox'));
});

test('the layer holds the binary, one link per applet, passwd/group with root and nobody, and fixed times', async (t) => {
  const dir = await tempDir(t);
  const binary = join(dir, 'busybox');
  writeFileSync(binary, elf64([1]));
  const entries = busyboxEntries(binary, ['cat', 'ls', 'sh'], 42);
  const byPath = new Map(entries.map((e) => [e.path, e]));
  assert.deepEqual(byPath.get('bin/busybox'), { path: 'bin/busybox', type: 'file', sourcePath: binary, size: 120, mode: 0o755, uid: 0, gid: 0, mtime: 42 });
  for (const applet of ['cat', 'ls', 'sh']) assert.deepEqual(byPath.get(`bin/${applet}`)?.linkname, 'busybox');
  assert.equal(byPath.get('tmp')?.mode, 0o1777);
  assert.ok(entries.every((e) => e.mtime === 42 && e.uid === 0 && e.gid === 0));
  assert.deepEqual(parsePasswd(BUSYBOX_PASSWD).map((e) => [e.name, e.uid, e.gid]), [
    ['root', 0, 0],
    ['nobody', 65534, 65534],
  ]);
  assert.deepEqual(parseGroup(BUSYBOX_GROUP).map((g) => [g.name, g.gid]), [
    ['root', 0],
    ['nobody', 65534],
  ]);
});
