import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { setImmediate as tick } from 'node:timers/promises';
import { withFileLock } from '../../../src/store/lock.js';
import { tempDir } from '../../helpers/tmp.js';

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

test('holders run one at a time', async (t) => {
  const lock = join(await tempDir(t), 'lock');
  let inside = 0;
  let maxInside = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      withFileLock(lock, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await tick();
        await tick();
        order.push(i);
        inside--;
      }),
    ),
  );
  assert.equal(maxInside, 1);
  assert.equal(order.length, 8);
});

test('the lock is released when the holder throws, and the error passes through', async (t) => {
  const dir = await tempDir(t);
  const lock = join(dir, 'lock');
  await assert.rejects(withFileLock(lock, async () => { throw new Error('inside'); }), /inside/);
  assert.deepEqual(await readdir(dir), []);
  assert.equal(await withFileLock(lock, async () => 42), 42);
});

test('a lock left by a dead process on this host is broken', async (t) => {
  const dir = await tempDir(t);
  const lock = join(dir, 'lock');
  await writeFile(lock, `${deadPid()} ${hostname()} 2020-01-01T00:00:00Z\n`);
  assert.equal(await withFileLock(lock, async () => 'got it', { timeoutMs: 5_000 }), 'got it');
  assert.deepEqual(await readdir(dir), []);
});

test('a lock of a live process (or of another host, recently) is respected until the timeout', async (t) => {
  const lock = join(await tempDir(t), 'lock');
  await writeFile(lock, `${process.pid} ${hostname()} now\n`);
  await assert.rejects(withFileLock(lock, async () => undefined, { timeoutMs: 20 }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_STORE_LOCKED');
    assert.match(err.message, new RegExp(`${process.pid}`));
    return true;
  });
  await writeFile(lock, `1 some-other-host now\n`);
  await assert.rejects(withFileLock(lock, async () => undefined, { timeoutMs: 20 }), /locked by another process/);
  // ... but a foreign lock older than foreignStaleMs is abandoned.
  assert.equal(await withFileLock(lock, async () => 'ok', { timeoutMs: 5_000, foreignStaleMs: -1 }), 'ok');
});

test('an aborted wait rejects with the abort reason', async (t) => {
  const lock = join(await tempDir(t), 'lock');
  await writeFile(lock, `${process.pid} ${hostname()} now\n`);
  const controller = new AbortController();
  const waiting = withFileLock(lock, async () => undefined, { signal: controller.signal });
  controller.abort(new Error('cancelled'));
  await assert.rejects(waiting, /cancelled/);
});
