import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { parseOutput } from '../../../src/cli/commands/build.js';

async function contextWith(t: import('node:test').TestContext, dockerfile: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'Dockerfile'), dockerfile);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

test('build prints BuildKit-style steps on stderr, CACHED on a rebuild, and tags', async (t) => {
  const store = await tempDir(t);
  const ctx = await contextWith(t, 'FROM scratch AS one\nCOPY a /a\nLABEL x=y\n', { a: 'A' });
  const first = await runCli(['--store', store, 'build', '-t', 'demo:1', '-t', 'demo:2', ctx]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '');
  assert.match(first.stderr, /^#1 \[one 1\/3\] FROM scratch AS one$/m);
  assert.match(first.stderr, /^#2 \[one 2\/3\] COPY a \/a$/m);
  assert.match(first.stderr, /^#2 DONE \d+\.\ds$/m);
  assert.match(first.stderr, /^writing image sha256:[0-9a-f]{64} done$/m);
  assert.match(first.stderr, /^naming to demo:2 done$/m);
  const second = await runCli(['--store', store, 'build', ctx]);
  assert.match(second.stderr, /^#2 CACHED$/m);
  const images = await runCli(['--store', store, 'images']);
  assert.match(images.stdout, /demo +1/);
  assert.match(images.stdout, /demo +2/);
});

test('-q prints only the digest; --build-arg, --target and -f work', async (t) => {
  const store = await tempDir(t);
  const ctx = await contextWith(t, 'FROM scratch AS a\nARG V\nLABEL v=$V\nFROM a AS b\nLABEL b=1\n');
  await writeFile(join(ctx, 'Other.Dockerfile'), 'FROM scratch\nLABEL other=1\n');
  const quiet = await runCli(['--store', store, 'build', '-q', '--build-arg', 'V=7', '--target', 'a', '-t', 'q:1', ctx]);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.match(quiet.stdout, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(quiet.stderr, '');
  const config = await runCli(['--store', store, 'config', 'q:1']);
  assert.match(config.stdout, /"v":\s*"7"/);
  assert.doesNotMatch(config.stdout, /"b":\s*"1"/);
  const other = await runCli(['--store', store, 'build', '-q', '-f', join(ctx, 'Other.Dockerfile'), '-t', 'o:1', ctx]);
  assert.equal(other.code, 0, other.stderr);
  assert.match((await runCli(['--store', store, 'config', 'o:1'])).stdout, /"other":\s*"1"/);
});

test('a Dockerfile on stdin: CONTEXT "-" (no context) and -f -', async (t) => {
  const store = await tempDir(t);
  const fromStdin = await runCli(['--store', store, 'build', '-q', '-t', 's:1', '-'], {}, 'FROM scratch\nLABEL s=1\n');
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  const noContext = await runCli(['--store', store, 'build', '-'], {}, 'FROM scratch\nCOPY x /x\n');
  assert.equal(noContext.code, 1);
  const ctx = await contextWith(t, 'unused', { x: 'X' });
  const dashF = await runCli(['--store', store, 'build', '-q', '-f', '-', ctx], {}, 'FROM scratch\nCOPY x /x\n');
  assert.equal(dashF.code, 0, dashF.stderr);
});

test('a failed build exits 1 with Dockerfile:LINE and sets no tag; usage errors exit 2', async (t) => {
  const store = await tempDir(t);
  const ctx = await contextWith(t, 'FROM scratch\nCOPY a /a\nCOPY missing /m\n', { a: 'A' });
  const failed = await runCli(['--store', store, 'build', '-t', 'bad:1', ctx]);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /oci-kit: error: Dockerfile:3: COPY missing \/m: "missing" not found in the build context/);
  assert.doesNotMatch((await runCli(['--store', store, 'images'])).stdout, /bad/);
  assert.equal((await runCli(['--store', store, 'build'])).code, 2);
  assert.equal((await runCli(['--store', store, 'build', '--network', 'bridge', ctx])).code, 2);
  const parse = await runCli(['--store', store, 'build', await contextWith(t, 'FROM scratch\nBOGUS x\n')]);
  assert.equal(parse.code, 1);
  assert.match(parse.stderr, /Dockerfile:2/);
});

test('--output writes an archive; --platform a,b builds an index', async (t) => {
  const store = await tempDir(t);
  const out = join(await tempDir(t), 'image.tar');
  const ctx = await contextWith(t, 'FROM scratch\nCOPY a /a\n', { a: 'A' });
  const built = await runCli(['--store', store, 'build', '-q', '--output', `type=oci,dest=${out}`, '--platform', 'linux/amd64,linux/arm64', '-t', 'multi:1', ctx]);
  assert.equal(built.code, 0, built.stderr);
  assert.ok((await stat(out)).size > 0);
  const manifest = await runCli(['--store', store, 'manifest', 'multi:1']);
  assert.match(manifest.stdout, /"architecture":\s*"arm64"/);
  assert.deepEqual(parseOutput('type=docker,dest=/x.tar'), { type: 'docker', dest: '/x.tar' });
  assert.throws(() => parseOutput('type=local,dest=/x'), /oci or docker/);
  assert.throws(() => parseOutput('type=oci'), /dest=PATH/);
});

test('on a terminal, each step line is finished in place with its result', async (t) => {
  const { main } = await import('../../../src/cli/main.js');
  const store = await tempDir(t);
  const ctx = await contextWith(t, 'FROM scratch\nCOPY a /a\n', { a: 'A' });
  const capture = () => {
    const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString() };
  };
  const stderr = capture();
  stderr.stream.isTTY = true;
  const stdout = capture();
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(['--store', store, 'build', ctx], { stdout: stdout.stream, stderr: stderr.stream, stdin, env: { PATH: process.env.PATH } });
  assert.equal(code, 0, stderr.text());
  assert.match(stderr.text(), /\r\x1b\[K#2 \[2\/2\] COPY a \/a DONE \d+\.\ds\n/);
  const failed = capture();
  failed.stream.isTTY = true;
  const bad = await contextWith(t, 'FROM scratch\nCOPY nope /a\n');
  assert.equal(await main(['--store', store, 'build', bad], { stdout: stdout.stream, stderr: failed.stream, stdin, env: { PATH: process.env.PATH } }), 1);
  assert.match(failed.text(), /COPY nope \/a[^\n]*\noci-kit: error: Dockerfile:2/);
});
