import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, utimes, writeFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildDockerfile, type DockerfileBuildOptions } from '../../../src/build/dockerfile-build.js';
import { createBuildEmitter } from '../../../src/build/events.js';
import type { Executor, RunRequest } from '../../../src/build/executor/types.js';
import { hostPlatform } from '../../../src/image/platform.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { MemoryStore } from '../../../src/store/memory.js';
import type { ImageStore } from '../../../src/store/blob-store.js';
import type { Descriptor } from '../../../src/image/types.js';
import { tempDir } from '../../helpers/tmp.js';

/** Tar members of a gzip layer: path -> header fields and body. */
async function members(store: ImageStore, layer: Descriptor): Promise<Map<string, { mode: number; uid: number; gid: number; mtime: number; body: string; type: string }>> {
  const tar = gunzipSync(await store.get(layer.digest));
  const out = new Map<string, { mode: number; uid: number; gid: number; mtime: number; body: string; type: string }>();
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + 512 <= tar.length) {
    const h = tar.subarray(offset, offset + 512);
    if (h.every((b) => b === 0)) break;
    const field = (s: number, l: number) => h.subarray(s, s + l).toString('utf8').replace(/\0.*$/s, '');
    const num = (s: number, l: number) => Number.parseInt(field(s, l).trim() || '0', 8);
    const size = num(124, 12);
    const type = field(156, 1);
    const body = tar.subarray(offset + 512, offset + 512 + size).toString('utf8');
    if (type === 'x') paxPath = /\d+ path=([^\n]*)\n/.exec(body)?.[1];
    else {
      const prefix = field(345, 155);
      const name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      paxPath = undefined;
      out.set(name.replace(/\/$/, ''), { mode: num(100, 8), uid: num(108, 8), gid: num(116, 8), mtime: num(136, 12), body, type });
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Every member of every layer of an image (later layers win). */
async function tree(store: ImageStore, layers: Descriptor[]) {
  const all = new Map<string, Awaited<ReturnType<typeof members>> extends Map<string, infer V> ? V : never>();
  for (const layer of layers) for (const [k, v] of await members(store, layer)) all.set(k, v);
  return all;
}

async function context(t: import('node:test').TestContext, files: Record<string, string>): Promise<string> {
  const dir = await tempDir(t);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/**
 * An executor that understands a tiny script language instead of running a shell: each line of
 * `sh -c` is `write PATH TEXT`, `env PATH` (writes the environment), `pwd PATH`, `user PATH`,
 * `rm PATH` or `exit N`. Enough to test the engine without a sandbox.
 */
class ScriptExecutor implements Executor {
  readonly requests: RunRequest[] = [];
  async run(req: RunRequest): Promise<{ exitCode: number }> {
    this.requests.push(req);
    const script = req.args[req.args.length - 1] ?? '';
    for (const line of script.split('\n')) {
      const [op, path, ...rest] = line.trim().split(' ');
      if (!op) continue;
      const target = path ? join(req.rootfs, path) : '';
      if (op === 'write') {
        await mkdir(join(target, '..'), { recursive: true });
        await writeFile(target, rest.join(' '));
      } else if (op === 'env') await writeFile(target, req.env.join('\n'));
      else if (op === 'pwd') await writeFile(target, req.cwd);
      else if (op === 'user') await writeFile(target, req.user ?? '');
      else if (op === 'rm') await rm(target, { recursive: true, force: true });
      else if (op === 'exit') return { exitCode: Number(path) };
      else if (op === 'say') req.stdout?.write(`${[path, ...rest].join(' ')}\n`);
    }
    return { exitCode: 0 };
  }
}

async function build(t: import('node:test').TestContext, files: Record<string, string>, options: Partial<DockerfileBuildOptions> = {}) {
  const dir = await context(t, files);
  const store = options.store ?? new MemoryStore();
  const image = await buildDockerfile({ context: dir, store, sourceDateEpoch: 1000, ...options });
  return { image, store, dir, config: image.config!, files: await tree(store, image.manifest?.layers ?? []) };
}

test('ARG and ENV scoping: global ARGs, redeclaration, ENV wins, build args, env fallback, platform args', async (t) => {
  const { config } = await build(
    t,
    {
      Dockerfile: [
        'ARG GLOBAL=g1',
        'ARG ONLY_FROM=scratch',
        'FROM ${ONLY_FROM}',
        'LABEL before=[$GLOBAL]',
        'ARG GLOBAL',
        'LABEL after=[$GLOBAL]',
        'ARG V=arg',
        'ENV V=env',
        'ARG V=arg2',
        'LABEL v=$V',
        'ARG FROMENV',
        'ARG OVERRIDE=default',
        'ARG TARGETARCH',
        'LABEL fromenv=$FROMENV override=$OVERRIDE arch=$TARGETARCH unset=[${NOPE:-dflt}]',
        'CMD echo $V',
        'RUN ["echo", "$V"]',
      ].join('\n'),
    },
    { buildArgs: ['FROMENV', 'OVERRIDE=given'], env: { FROMENV: 'from-env' }, executor: new ScriptExecutor() },
  );
  const labels = config.config!.Labels!;
  assert.equal(labels.before, '[]', 'a global ARG is not visible in a stage until redeclared');
  assert.equal(labels.after, '[g1]');
  assert.equal(labels.v, 'env', 'ENV wins over ARG');
  assert.equal(labels.fromenv, 'from-env');
  assert.equal(labels.override, 'given');
  assert.equal(labels.arch, hostPlatform().architecture);
  assert.equal(labels.unset, '[dflt]');
  assert.deepEqual(config.config!.Cmd, ['/bin/sh', '-c', 'echo $V'], 'CMD is not expanded');
  assert.ok(!config.config!.Env!.some((e) => e.startsWith('GLOBAL=')), 'ARGs are not persisted');
});

test('RUN gets ENV, declared ARGs, WORKDIR and USER; exec form is not expanded; output is reported', async (t) => {
  const executor = new ScriptExecutor();
  const events = createBuildEmitter();
  const output: string[] = [];
  events.on('output', (o) => output.push(o.chunk.toString()));
  const { files, config } = await build(
    t,
    {
      Dockerfile: 'FROM scratch\nARG A=1\nENV B=2\nWORKDIR /w\nUSER 1000:1000\nRUN env /env\nRUN pwd /pwd\nRUN user /user\nRUN say hello\nRUN ["x", "$B"]\n',
    },
    { executor, events },
  );
  assert.match(files.get('env')!.body, /^B=2\nA=1$/m);
  assert.equal(files.get('pwd')!.body, '/w');
  assert.equal(files.get('user')!.body, '1000:1000');
  assert.deepEqual(executor.requests.at(-1)!.args, ['x', '$B']);
  assert.deepEqual(output, ['hello\n']);
  assert.match(config.history!.find((h) => h.created_by?.includes('env /env'))!.created_by!, /^RUN \|1 A=1 \/bin\/sh -c env \/env # buildkit$/);
  assert.equal(executor.requests[0]!.rootfs, executor.requests[1]!.rootfs, 'consecutive RUNs reuse the materialised rootfs');
});

test('a RUN that changes nothing adds no layer; a deletion becomes a whiteout', async (t) => {
  const { image, store } = await build(
    t,
    { Dockerfile: 'FROM scratch\nCOPY a /a\nRUN say nothing\nRUN rm /a\n', a: 'A' },
    { executor: new ScriptExecutor() },
  );
  assert.equal(image.manifest!.layers.length, 2);
  assert.deepEqual(image.config!.history!.map((h) => h.empty_layer ?? false), [false, true, false]);
  const last = await members(store, image.manifest!.layers[1]!);
  assert.ok(last.has('.wh.a'));
});

test('a failed RUN names the Dockerfile line, exits with the code, and tags nothing', async (t) => {
  const store = new MemoryStore();
  await assert.rejects(
    build(t, { Dockerfile: 'FROM scratch\n\nRUN exit 3\n' }, { executor: new ScriptExecutor(), store, tags: ['x:1'] }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_BUILD_STEP');
      assert.match(err.message, /^Dockerfile:3: RUN exit 3: process "\/bin\/sh -c exit 3" did not complete successfully: exit code: 3$/);
      return true;
    },
  );
  assert.deepEqual(await store.listTags(), []);
});

test('COPY: directory contents, trailing slash, WORKDIR-relative, --chmod, --exclude, --parents, globs', async (t) => {
  const { files } = await build(t, {
    Dockerfile: [
      'FROM scratch',
      'WORKDIR /app',
      'COPY dir ./d/',
      'COPY one.txt renamed.txt',
      'COPY --chmod=0700 one.txt /modes/',
      'COPY --exclude=*.log dir /filtered',
      'COPY --parents dir/sub/deep.txt /par/',
      'COPY *.md /docs/',
    ].join('\n'),
    'dir/a.txt': 'a',
    'dir/x.log': 'log',
    'dir/sub/deep.txt': 'deep',
    'one.txt': '1',
    'r1.md': 'r1',
    'r2.md': 'r2',
  });
  assert.equal(files.get('app/d/a.txt')?.body, 'a');
  assert.equal(files.get('app/d/sub/deep.txt')?.body, 'deep');
  assert.ok(!files.has('app/d/dir'), 'a directory source copies its contents');
  assert.equal(files.get('app/renamed.txt')?.body, '1');
  assert.equal(files.get('modes/one.txt')?.mode, 0o700);
  assert.ok(files.has('filtered/a.txt'));
  assert.ok(!files.has('filtered/x.log'));
  assert.equal(files.get('par/dir/sub/deep.txt')?.body, 'deep');
  assert.ok(files.has('docs/r1.md') && files.has('docs/r2.md'));
});

test('COPY --chown resolves names from the image /etc/passwd and /etc/group', async (t) => {
  const { files } = await build(t, {
    Dockerfile: 'FROM scratch\nCOPY passwd group /etc/\nCOPY --chown=app:staff f /f\nCOPY --chown=app f /g\nCOPY --chown=5:6 f /h\n',
    passwd: 'root:x:0:0::/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n',
    group: 'root:x:0:\nstaff:x:50:\n',
    f: 'f',
  });
  assert.deepEqual([files.get('f')?.uid, files.get('f')?.gid], [1001, 50]);
  assert.deepEqual([files.get('g')?.uid, files.get('g')?.gid], [1001, 1001]);
  assert.deepEqual([files.get('h')?.uid, files.get('h')?.gid], [5, 6]);
});

test('sources outside the context and missing sources are refused', async (t) => {
  await assert.rejects(build(t, { Dockerfile: 'FROM scratch\nCOPY ../secret /x\n' }), /outside the build context/);
  await assert.rejects(build(t, { Dockerfile: 'FROM scratch\nCOPY nope /x\n' }), /Dockerfile:2: COPY nope \/x: "nope" not found/);
});

test('.dockerignore and <Dockerfile>.dockerignore', async (t) => {
  const { files } = await build(t, {
    Dockerfile: 'FROM scratch\nCOPY . /c/\n',
    '.dockerignore': '*.secret\n!keep.secret\n',
    'a.secret': 's',
    'keep.secret': 'k',
    'plain.txt': 'p',
  });
  assert.ok(!files.has('c/a.secret'));
  assert.ok(files.has('c/keep.secret'));
  assert.ok(files.has('c/plain.txt'));
  const dir = await context(t, { 'sub/app.Dockerfile': 'FROM scratch\nCOPY . /c/\n', 'sub/app.Dockerfile.dockerignore': 'plain.txt\n', '.dockerignore': 'other.txt\n', 'plain.txt': 'p', 'other.txt': 'o' });
  const store = new MemoryStore();
  const image = await buildDockerfile({ context: dir, dockerfile: join(dir, 'sub/app.Dockerfile'), store });
  const got = await tree(store, image.manifest!.layers);
  assert.ok(!got.has('c/plain.txt'));
  assert.ok(got.has('c/other.txt'), 'the Dockerfile-specific ignore file replaces the context one');
});

test('multi-stage: named and indexed stages, only needed stages run, --target, cycles fail', async (t) => {
  const dockerfile = [
    'FROM scratch AS base',
    'COPY a /a',
    'FROM scratch AS broken',
    'COPY does-not-exist /x',
    'FROM base AS child',
    'COPY --from=0 /a /from-index',
    'FROM scratch',
    'COPY --from=child /a /from-child',
    'COPY --from=child /from-index /fi',
  ].join('\n');
  const { files, image } = await build(t, { Dockerfile: dockerfile, a: 'A' });
  assert.equal(files.get('from-child')?.body, 'A');
  assert.equal(files.get('fi')?.body, 'A');
  assert.equal(image.manifest!.layers.length, 2);
  const target = await build(t, { Dockerfile: dockerfile, a: 'A' }, { target: 'child' });
  assert.ok(target.files.has('a') && target.files.has('from-index'));
  await assert.rejects(build(t, { Dockerfile: dockerfile, a: 'A' }, { target: 'broken' }), /does-not-exist/);
  await assert.rejects(build(t, { Dockerfile: dockerfile, a: 'A' }, { target: 'nope' }), /target stage "nope" could not be found/);
  const cycle = 'FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\nCOPY --from=a /y /y\n';
  await assert.rejects(build(t, { Dockerfile: cycle }), (err: Error & { code?: string }) => err.code === 'ERR_STAGE_CYCLE');
});

test('ENTRYPOINT resets an inherited CMD but not one set in the same stage; ONBUILD triggers run in the child', async (t) => {
  const store = new MemoryStore();
  const parent = await build(t, { Dockerfile: 'FROM scratch\nCMD ["base"]\nONBUILD COPY trigger.txt /triggered\n' }, { store, tags: ['parent:1'] });
  assert.deepEqual(parent.config.config!.OnBuild, ['COPY trigger.txt /triggered']);
  const child = await build(t, { Dockerfile: 'FROM parent:1\nENTRYPOINT ["e"]\n', 'trigger.txt': 't' }, { store });
  assert.equal(child.config.config!.Cmd, null);
  assert.equal(child.files.get('triggered')?.body, 't');
  assert.equal(child.config.config!.OnBuild, null, 'triggers are not inherited by grandchildren');
  const same = await build(t, { Dockerfile: 'FROM parent:1\nCMD ["mine"]\nENTRYPOINT ["e"]\n', 'trigger.txt': 't' }, { store });
  assert.deepEqual(same.config.config!.Cmd, ['mine']);
});

test('config instructions: EXPOSE ranges, VOLUME, STOPSIGNAL, SHELL, HEALTHCHECK, USER expansion', async (t) => {
  const { config } = await build(t, {
    Dockerfile: 'FROM scratch\nENV P=8080 U=app\nEXPOSE $P 9000-9001/udp\nVOLUME ["/data", "/$U"]\nSTOPSIGNAL SIGINT\nSHELL ["/bin/bash", "-c"]\nCMD run it\nHEALTHCHECK --interval=5s --retries=2 CMD check\nUSER $U\n',
  });
  const c = config.config!;
  assert.deepEqual(c.ExposedPorts, { '8080/tcp': {}, '9000/udp': {}, '9001/udp': {} });
  assert.deepEqual(c.Volumes, { '/data': {}, '/app': {} });
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.Cmd, ['/bin/bash', '-c', 'run it']);
  assert.deepEqual(c.Healthcheck?.Test, ['CMD-SHELL', 'check']);
  assert.equal(c.Healthcheck?.Interval, 5e9);
  assert.equal(c.Healthcheck?.Retries, 2);
  assert.equal(c.User, 'app');
  assert.equal(c.Env![0], 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'FROM scratch has BuildKit\'s default PATH');
  assert.equal(c.ArgsEscaped, true);
  assert.ok(config.history!.some((h) => h.created_by === 'CMD ["/bin/bash" "-c" "run it"]'), 'argv recorded like Go %q');
});

test('ADD extracts local tar archives (gzip, bzip2, xz, zstd) and keeps other files as they are', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'payload/inner'), { recursive: true });
  await writeFile(join(dir, 'payload/inner/file.txt'), 'inside');
  execFileSync('tar', ['-cf', join(dir, 'a.tar'), '-C', join(dir, 'payload'), 'inner']);
  execFileSync('sh', ['-c', `gzip -c a.tar > a.tar.gz && bzip2 -c a.tar > a.tar.bz2 && xz -c a.tar > a.tar.xz && zstd -qc a.tar > a.tar.zst`], { cwd: dir });
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nADD a.tar /plain\nADD a.tar.gz /gz\nADD a.tar.bz2 /bz\nADD a.tar.xz /xz\nADD a.tar.zst /zst\nADD --unpack=false a.tar.gz /raw/\nADD payload/inner/file.txt /file.txt\n');
  const store = new MemoryStore();
  const image = await buildDockerfile({ context: dir, store });
  const files = await tree(store, image.manifest!.layers);
  for (const where of ['plain', 'gz', 'bz', 'xz', 'zst']) assert.equal(files.get(`${where}/inner/file.txt`)?.body, 'inside', where);
  assert.ok(files.has('raw/a.tar.gz'));
  assert.equal(files.get('file.txt')?.body, 'inside');
});

test('ADD downloads URLs, checks --checksum, and fails clearly on a mismatch', async (t) => {
  const body = 'downloaded content\n';
  const server = createServer((req, res) => {
    if (req.url === '/file.txt') res.end(body);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/file.txt`;
  const { files } = await build(t, { Dockerfile: `FROM scratch\nADD --checksum=${digestOf(body)} ${url} /dl/\n` });
  assert.equal(files.get('dl/file.txt')?.body, body);
  assert.equal(files.get('dl/file.txt')?.mode, 0o600);
  await assert.rejects(build(t, { Dockerfile: `FROM scratch\nADD --checksum=sha256:${'0'.repeat(64)} ${url} /dl/\n` }), /checksum of .* is sha256:/);
  await assert.rejects(build(t, { Dockerfile: `FROM scratch\nADD http://127.0.0.1:${port}/missing /x\n` }), /HTTP 404/);
});

test('the build cache: an unchanged rebuild is all cache hits with the same digest; a change invalidates from its step', async (t) => {
  const dir = await context(t, { Dockerfile: 'FROM scratch\nCOPY a /a\nRUN write /r ran\nCOPY b /b\n', a: 'A', b: 'B' });
  const store = new MemoryStore();
  const executor = new ScriptExecutor();
  const run = async () => {
    const events = createBuildEmitter();
    const cached: boolean[] = [];
    events.on('step-done', (s) => {
      if (!/^(FROM|ENV)/.test(s.instruction)) cached.push(s.cached);
    });
    const image = await buildDockerfile({ context: dir, store, executor, events });
    return { image, cached };
  };
  const first = await run();
  assert.deepEqual(first.cached, [false, false, false]);
  const second = await run();
  assert.deepEqual(second.cached, [true, true, true]);
  assert.equal(second.image.digest, first.image.digest, 'a cached rebuild is the same image');
  assert.equal(executor.requests.length, 1);
  await writeFile(join(dir, 'b'), 'B2');
  assert.deepEqual((await run()).cached, [true, true, false]);
  await writeFile(join(dir, 'a'), 'A2');
  assert.deepEqual((await run()).cached, [false, false, false]);
  const none = await buildDockerfile({ context: dir, store, executor, cache: false });
  assert.equal(none.manifest!.layers.length, 3);
  assert.equal(executor.requests.length, 3);
});

test('SOURCE_DATE_EPOCH: two stores, changed context mtimes, identical digests', async (t) => {
  const dir = await context(t, { Dockerfile: 'FROM scratch\nCOPY . /ctx/\nWORKDIR /w\nCMD ["x"]\n', 'a.txt': 'a', 'd/b.txt': 'b' });
  const one = await buildDockerfile({ context: dir, store: new MemoryStore(), sourceDateEpoch: 1700000000 });
  await utimes(join(dir, 'a.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  await utimes(join(dir, 'd/b.txt'), new Date(), new Date());
  const two = await buildDockerfile({ context: dir, store: new MemoryStore(), sourceDateEpoch: 1700000000 });
  assert.equal(two.digest, one.digest);
  assert.equal(one.config!.created, '2023-11-14T22:13:20Z');
});

test('several platforms build an index; RUN for a foreign architecture fails clearly', async (t) => {
  const dir = await context(t, { Dockerfile: 'FROM scratch\nARG TARGETARCH\nLABEL arch=$TARGETARCH\nCOPY a /a\n', a: 'A' });
  const store = new MemoryStore();
  const index = await buildDockerfile({ context: dir, store, platforms: ['linux/amd64', 'linux/arm64'] });
  assert.ok(index.index);
  assert.deepEqual(index.index!.manifests.map((m) => m.platform?.architecture), ['amd64', 'arm64']);
  assert.deepEqual(index.images.map((i) => i.config!.config!.Labels!.arch), ['amd64', 'arm64']);
  const foreign = hostPlatform().architecture === 's390x' ? 'linux/ppc64le' : 'linux/s390x';
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nRUN write /x y\n');
  await assert.rejects(
    buildDockerfile({ context: dir, store, platforms: [foreign], executor: new ScriptExecutor() }),
    (err: Error & { hint?: string }) => /cannot RUN for linux\/s390x|cannot RUN for linux\/ppc64le/.test(err.message) && /qemu/.test(err.hint ?? ''),
  );
});

test('heredocs: RUN <<EOF and COPY <<EOF with expansion', async (t) => {
  const executor = new ScriptExecutor();
  const { files } = await build(
    t,
    { Dockerfile: 'FROM scratch\nENV NAME=world\nRUN <<EOF\nwrite /from-heredoc yes\nEOF\nCOPY <<EOT /greeting.txt\nhello $NAME\nEOT\nCOPY <<"RAW" /raw.txt\nhello $NAME\nRAW\n' },
    { executor },
  );
  assert.equal(files.get('from-heredoc')?.body, 'yes');
  assert.equal(files.get('greeting.txt')?.body, 'hello world\n');
  assert.equal(files.get('raw.txt')?.body, 'hello $NAME\n');
});

test('the Dockerfile can come as text (stdin), and a missing Dockerfile is a clear error', async (t) => {
  const dir = await tempDir(t);
  const store = new MemoryStore();
  const image = await buildDockerfile({ context: dir, store, dockerfileText: 'FROM scratch\nLABEL from=stdin\n' });
  assert.equal(image.config!.config!.Labels!.from, 'stdin');
  await assert.rejects(buildDockerfile({ context: dir, store }), (err: Error & { code?: string }) => err.code === 'ERR_DOCKERFILE_NOT_FOUND');
  assert.equal(await readFile(join(dir, 'nothing'), 'utf8').catch(() => 'absent'), 'absent');
});

test('an invalid tag fails before anything is built', async (t) => {
  const executor = new ScriptExecutor();
  await assert.rejects(build(t, { Dockerfile: 'FROM scratch\nRUN write /x y\n' }, { executor, tags: ['Bad:Tag!'] }), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_REFERENCE');
  assert.equal(executor.requests.length, 0);
});

test('a first build hashes its COPY sources once; the rebuild answers them from the signature record', async (t) => {
  const { MemoryBuildCache } = await import('../../../src/build/cache.js');
  const dir = await context(t, { Dockerfile: 'FROM scratch\nCOPY . /ctx/\n', 'a.txt': 'a', 'd/b.txt': 'b' });
  const inner = new MemoryBuildCache();
  const gets: string[] = [];
  const cache = {
    get: (key: string) => (gets.push(key), inner.get(key)),
    set: (key: string, record: Parameters<typeof inner.set>[1]) => inner.set(key, record),
    flush: () => inner.flush(),
    get files() {
      return inner.files;
    },
  };
  const store = new MemoryStore();
  const first = await buildDockerfile({ context: dir, store, cache });
  const sourceLookups = gets.filter((key) => key.startsWith('sources-'));
  assert.equal(sourceLookups.length, 1, 'no signature walk before the first hashing');
  gets.length = 0;
  const second = await buildDockerfile({ context: dir, store, cache });
  assert.deepEqual(gets.filter((key) => key.startsWith('sources-')), sourceLookups, 'the rebuild finds the recorded signatures');
  assert.equal(second.digest, first.digest);
});

test('the manifest names the final stage base image (org.opencontainers.image.base.*), so rebase needs no --old-base', async (t) => {
  const store = new MemoryStore();
  const base = (await build(t, { Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'a' }, { store, tags: ['base:1'] })).image;
  const { image } = await build(t, { Dockerfile: 'FROM base:1 AS first\nCOPY b /b\nFROM first\nCOPY c /c\n', b: 'b', c: 'c' }, { store, tags: ['app:1'] });
  assert.deepEqual(image.manifest!.annotations, {
    'org.opencontainers.image.base.name': 'docker.io/library/base:1',
    'org.opencontainers.image.base.digest': base.digest,
  });
  const scratch = (await build(t, { Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'x' }, { store })).image;
  assert.equal(scratch.manifest!.annotations, undefined, 'scratch is no base image');

  const newBase = (await build(t, { Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'new base' }, { store, tags: ['base:2'] })).image;
  const { rebaseImage } = await import('../../../src/archive/rebase.js');
  const rebased = await rebaseImage(store, 'app:1', { newBase: 'base:2' });
  const manifest = JSON.parse((await store.get(rebased.descriptor.digest)).toString('utf8')) as { layers: Descriptor[] };
  assert.deepEqual(manifest.layers.map((l) => l.digest), [...newBase.manifest!.layers, ...image.manifest!.layers.slice(1)].map((l) => l.digest));
});
