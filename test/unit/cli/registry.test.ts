import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { digestOf } from '../../../src/digest/hasher.js';

test('registry serve listens on 127.0.0.1, serves a layout store, and stops on SIGTERM', async (t) => {
  const dir = await tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'registry', 'serve', '--port', '0', '--store', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on http:\/\/(127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  const client = new RegistryClient({ dockerConfig: false });
  const data = Buffer.from('served');
  await client.uploadBlob({ registry: address, repository: 'x' }, data, { digest: digestOf(data), size: data.byteLength });
  assert.deepEqual(await client.getBlob({ registry: address, repository: 'x' }, { digest: digestOf(data), size: data.byteLength }), data);
  client.close();
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.kill('SIGTERM');
  });
  assert.equal(code, 0);
  assert.match(out, /stopped/);
});
