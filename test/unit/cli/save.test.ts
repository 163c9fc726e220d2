import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { saveCommand } from '../../../src/cli/commands/save.js';
import { OciLayout } from '../../../src/store/layout.js';
import { spawn } from 'node:child_process';
import { BIN, runCli, spawnCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeImage, storeImage } from '../archive/fixtures.js';

test('save -o writes a docker archive; --format oci an OCI archive; stdout when not a TTY', async (t) => {
  const dir = await tempDir(t);
  const storeDir = join(dir, 'store');
  const store = await OciLayout.open(storeDir, { create: true });
  await storeImage(store, await makeImage(['cli']), 'docker.io/library/cli:1');

  const out = join(dir, 'cli.tar');
  const r = await runCli(['--store', storeDir, 'save', '-o', out, 'cli:1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Saved 1 image/);
  const archive = await readFile(out);
  assert.ok(archive.includes(Buffer.from('manifest.json')));

  const oci = join(dir, 'cli-oci.tar');
  assert.equal((await runCli(['--store', storeDir, 'save', '--format', 'oci', '-o', oci, 'cli:1'])).code, 0);
  assert.ok(!(await readFile(oci)).includes(Buffer.from('manifest.json')));

  const piped = await runCli(['--store', storeDir, 'save', 'cli:1']);
  assert.equal(piped.code, 0, piped.stderr);
  assert.ok(piped.stdout.includes('oci-layout'));
});

test('save refuses to write to a terminal and names unknown images', async (t) => {
  const dir = await tempDir(t);
  const storeDir = join(dir, 'store');
  await OciLayout.open(storeDir, { create: true });
  const stdout = Object.assign(new PassThrough(), { isTTY: true });
  await assert.rejects(
    saveCommand.run({
      args: ['x:1'], options: {}, storePath: storeDir, quiet: false, format: 'table',
      stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, signal: new AbortController().signal,
    }),
    (err: Error & { code?: string }) => err.code === 'ERR_ARCHIVE_TTY',
  );
  const r = await runCli(['--store', storeDir, 'save', '-o', join(dir, 'x.tar'), 'missing:1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no image missing:1/);
  assert.equal((await runCli(['--store', storeDir, 'save'])).code, 2);
});

test('the real binary pipes save into load through stdout and stdin', async (t) => {
  const dir = await tempDir(t);
  const source = join(dir, 'source');
  const image = await makeImage(['pipe']);
  await storeImage(await OciLayout.open(source, { create: true }), image, 'docker.io/library/pipe:1');
  const saved = await spawnCliBuffer(['--store', source, 'save', 'pipe:1']);
  assert.equal(saved.code, 0, saved.stderr);
  const loaded = await spawnCli(['--store', join(dir, 'target'), 'load'], { input: saved.stdout });
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.equal(loaded.stdout, 'Loaded image: pipe:1\n');
  assert.equal((await (await OciLayout.open(join(dir, 'target'))).resolveTag('docker.io/library/pipe:1'))?.digest, image.descriptor.digest);
});

/** spawnCli with stdout kept as bytes (an archive is binary). */
function spawnCliBuffer(argv: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
  });
}
