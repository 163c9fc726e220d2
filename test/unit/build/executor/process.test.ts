import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { exitCodeOf, launch, requestStreams } from '../../../../src/build/executor/process.js';

function collect(): PassThrough & { text(): string } {
  const stream = new PassThrough() as PassThrough & { text(): string };
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

const env = { PATH: process.env.PATH };

test('exit codes: the status, or 128 + signal number', () => {
  assert.equal(exitCodeOf(0, null), 0);
  assert.equal(exitCodeOf(3, null), 3);
  assert.equal(exitCodeOf(null, 'SIGKILL'), 137);
  assert.equal(exitCodeOf(null, 'SIGTERM'), 143);
});

test('launch wires stdin, stdout and stderr and reports the exit status', async () => {
  const stdout = collect();
  const stderr = collect();
  const code = await launch('sh', ['-c', 'cat; echo err >&2; exit 5'], { env, stdin: Readable.from(['in', 'put']), stdout, stderr });
  assert.equal(code, 5);
  assert.equal(stdout.text(), 'input');
  assert.equal(stderr.text(), 'err\n');
});

test('a command killed by a signal reports 128 + N', async () => {
  assert.equal(await launch('sh', ['-c', 'kill -TERM $$'], { env }), 143);
});

test('aborting kills the whole process group and rejects with the reason', async () => {
  const controller = new AbortController();
  const stdout = collect();
  // the grandchild would keep stdout open for a minute if it survived
  const running = launch('sh', ['-c', 'sleep 60 & echo $!; wait'], { env, stdout, signal: controller.signal });
  await new Promise<void>((resolve) => stdout.once('data', () => resolve()));
  const grandchild = Number(stdout.text().trim());
  controller.abort(new Error('stop now'));
  await assert.rejects(running, /stop now/);
  // killed means gone or a zombie waiting for init to reap it
  let state = 'gone';
  try {
    state = readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]?.[0] ?? 'gone';
  } catch {
    // no such process
  }
  assert.ok(state === 'gone' || state === 'Z', `the background sleep was killed too (state ${state})`);
});

test('an already aborted signal never starts the command', async () => {
  await assert.rejects(launch('sh', ['-c', 'exit 0'], { env, signal: AbortSignal.abort(new Error('early')) }), /early/);
});

test('a missing launcher is an error, not an exit code', async () => {
  await assert.rejects(launch('/nonexistent/launcher', [], { env }), /ENOENT/);
});

test('requestStreams passes a request\'s streams, terminal and signal on, and nothing else', () => {
  const stdout = collect();
  const controller = new AbortController();
  const streams = requestStreams({ stdout, tty: false, signal: controller.signal, ...{ args: ['x'] } } as Parameters<typeof requestStreams>[0]);
  assert.deepEqual(Object.keys(streams).sort(), ['signal', 'stderr', 'stdin', 'stdout', 'tty']);
  assert.equal(streams.stdout, stdout);
  assert.equal(streams.signal, controller.signal);
  assert.equal(streams.stdin, undefined);
});
