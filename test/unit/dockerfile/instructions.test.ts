import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../src/dockerfile/parse.js';
import { DockerfileParseError } from '../../../src/dockerfile/errors.js';
import { chompHeredoc, editDistance, type Instruction } from '../../../src/dockerfile/instructions.js';

function one<K extends Instruction['kind']>(line: string, kind: K): Extract<Instruction, { kind: K }> {
  const df = parseDockerfile(kind === 'FROM' ? `${line}\n` : `FROM scratch\n${line}\n`);
  const found = df.instructions.find((i) => i.kind === kind && i.range.start.line === (kind === 'FROM' ? 1 : 2));
  assert.ok(found, `no ${kind} in ${line}`);
  return found as Extract<Instruction, { kind: K }>;
}

function fails(line: string, pattern: RegExp, column?: number): void {
  assert.throws(() => parseDockerfile(`FROM scratch\n${line}\n`), (err: unknown) => {
    assert.ok(err instanceof DockerfileParseError, String(err));
    assert.equal(err.code, 'ERR_DOCKERFILE_PARSE');
    assert.equal(err.line, 2);
    if (column !== undefined) assert.equal(err.column, column);
    assert.match(err.reason, pattern);
    return true;
  }, line);
}

test('FROM with --platform and AS', () => {
  const from = one('from --platform=$BUILDPLATFORM golang:1.22 as Build', 'FROM');
  assert.deepEqual([from.image, from.stageName, from.platform, from.keyword], ['golang:1.22', 'Build', '$BUILDPLATFORM', 'from']);
  assert.throws(() => parseDockerfile('FROM a b\n'), /one or three arguments/);
  assert.throws(() => parseDockerfile('FROM a AS 1x\n'), /invalid name for build stage/);
  assert.throws(() => parseDockerfile('FROM --plat=x a\n'), /unknown flag: --plat.*/);
});

test('RUN: shell and exec form, mounts, network, security, heredocs', () => {
  const run = one('RUN --mount=type=cache,target=/c --mount=type=secret,id=s --network=none --security=insecure make', 'RUN');
  assert.deepEqual([run.shellForm, run.args, run.network, run.security], [true, ['make'], 'none', 'insecure']);
  assert.deepEqual(run.mounts.map((m) => m.type), ['cache', 'secret']);
  const exec = one('RUN ["echo", "hi"]', 'RUN');
  assert.deepEqual([exec.shellForm, exec.args], [false, ['echo', 'hi']]);
  const doc = parseDockerfile('FROM scratch\nRUN <<EOF\necho\nEOF\n').instructions[1];
  assert.equal(doc?.kind === 'RUN' && doc.heredocs[0]?.content, 'echo\n');
  fails('RUN --network=bridge x', /unsupported network mode/, 5);
  fails('RUN --security=root x', /unsupported security mode/);
  fails('RUN --mount=type=cache x', /invalid --mount.*needs a target/);
  fails('RUN --mount x', /missing a value on flag: --mount/);
  fails('RUN', /RUN requires at least one argument/);
});

test('COPY and ADD: every flag, JSON form, heredoc sources', () => {
  const copy = one('COPY --from=build --chown=1:1 --chmod=0755 --link --parents --exclude=*.md --exclude=.git a b /dst/', 'COPY');
  assert.deepEqual(
    [copy.from, copy.chown, copy.chmod, copy.link, copy.parents, copy.exclude, copy.sources, copy.destination],
    ['build', '1:1', '0755', true, true, ['*.md', '.git'], ['a', 'b'], '/dst/'],
  );
  const json = one('COPY ["a b", "/c d"]', 'COPY');
  assert.deepEqual([json.json, json.sources, json.destination], [true, ['a b'], '/c d']);
  const add = one('ADD --keep-git-dir=true --checksum=sha256:abc123 --link=false --unpack https://x/y.tgz /y', 'ADD');
  assert.deepEqual([add.keepGitDir, add.checksum, add.link, add.unpack], [true, 'sha256:abc123', false, true]);
  const heredoc = parseDockerfile('FROM scratch\nCOPY --chmod=755 <<-EOF /run.sh\n\t#!/bin/sh\n\techo\n\tEOF\n').instructions[1];
  assert.ok(heredoc?.kind === 'COPY');
  assert.deepEqual(heredoc.sourceContents, [{ path: 'EOF', data: '#!/bin/sh\necho\n', expand: true }]);
  assert.deepEqual(heredoc.sources, []);
  fails('COPY onlyone', /at least two arguments/);
  fails('COPY --from=a --from=b x y', /duplicate flag/);
  fails('COPY --link=maybe x y', /expecting boolean value/);
  fails('COPY --link= x y', /missing a value/);
  fails('COPY --chmod=abc x y', /invalid --chmod/);
  fails('ADD --from=x a b', /unknown flag: --from/);
  fails('ADD --checksum=md5:1 a b', /invalid --checksum/);
  fails('COPY --chwon=1 a b', /unknown flag/);
  assert.throws(() => parseDockerfile('FROM scratch\nCOPY --chwon=1 a b\n'), (err: unknown) => err instanceof DockerfileParseError && err.hint === 'did you mean --chown?');
});

test('ENV and LABEL in both forms keep quotes in values', () => {
  const env = one('ENV A=1 B="two words" C=x\\ y', 'ENV');
  assert.deepEqual(env.pairs, [
    { key: 'A', value: '1', equalsForm: true },
    { key: 'B', value: '"two words"', equalsForm: true },
    { key: 'C', value: 'x\\ y', equalsForm: true },
  ]);
  assert.deepEqual(one('ENV LEGACY some value', 'ENV').pairs, [{ key: 'LEGACY', value: 'some value', equalsForm: false }]);
  assert.deepEqual(one('LABEL a.b=c "d e"=f', 'LABEL').pairs.map((p) => [p.key, p.value]), [['a.b', 'c'], ['"d e"', 'f']]);
  fails('ENV', /ENV requires at least one argument/);
  fails('LABEL', /LABEL requires at least one argument/);
});

test('ARG with and without defaults', () => {
  assert.deepEqual(one('ARG A B=2 C="x y" D=', 'ARG').args, [{ name: 'A' }, { name: 'B', defaultValue: '2' }, { name: 'C', defaultValue: '"x y"' }, { name: 'D', defaultValue: '' }]);
  fails('ARG', /ARG requires at least one argument/);
  fails('ARG =x', /ARG names can not be blank/);
});

test('EXPOSE ports, protocols, ranges', () => {
  const expose = one('EXPOSE 80 53/udp 8000-8010/tcp 9/SCTP $PORT 127.0.0.1:8080:80', 'EXPOSE');
  assert.deepEqual(expose.ports, [
    { raw: '80', start: 80, end: 80, protocol: 'tcp' },
    { raw: '53/udp', start: 53, end: 53, protocol: 'udp' },
    { raw: '8000-8010/tcp', start: 8000, end: 8010, protocol: 'tcp' },
    { raw: '9/SCTP', start: 9, end: 9, protocol: 'sctp' },
    { raw: '$PORT' },
    { raw: '127.0.0.1:8080:80', start: 80, end: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '8080' },
  ]);
  fails('EXPOSE 70000', /invalid port range/);
  fails('EXPOSE 90-80', /invalid port range/);
  fails('EXPOSE 80/icmp', /invalid proto/);
  fails('EXPOSE http', /invalid port specification/);
  fails('EXPOSE 80-', /invalid port specification/);
  fails('EXPOSE 1-2-3/tcp', /invalid port specification/);
  fails('EXPOSE 8O', /invalid port specification/);
  fails('EXPOSE', /EXPOSE requires at least one argument/);
});

test('HEALTHCHECK options, durations in ns, NONE', () => {
  const hc = one('HEALTHCHECK --interval=30s --timeout=1m --start-period=1.5s --start-interval=500ms --retries=3 CMD curl -f http://localhost/', 'HEALTHCHECK');
  assert.deepEqual(
    [hc.none, hc.test, hc.interval, hc.timeout, hc.startPeriod, hc.startInterval, hc.retries],
    [false, ['CMD-SHELL', 'curl -f http://localhost/'], 30e9, 60e9, 1.5e9, 5e8, 3],
  );
  assert.deepEqual(one('HEALTHCHECK CMD ["true"]', 'HEALTHCHECK').test, ['CMD', 'true']);
  assert.deepEqual(one('healthcheck none', 'HEALTHCHECK').test, ['NONE']);
  assert.equal(one('HEALTHCHECK --interval=0s CMD x', 'HEALTHCHECK').interval, 0);
  fails('HEALTHCHECK NONE x', /takes no arguments/);
  fails('HEALTHCHECK --interval=5s NONE', /takes no options/);
  fails('HEALTHCHECK CONNECT TCP 7000', /Unknown type/);
  fails('HEALTHCHECK CMD', /Missing command/);
  fails('HEALTHCHECK --interval=5 CMD x', /invalid duration/);
  fails('HEALTHCHECK --interval=-5s CMD x', /cannot be negative/);
  fails('HEALTHCHECK --timeout=10us CMD x', /less than 1ms/);
  fails('HEALTHCHECK --retries=-1 CMD x', /cannot be negative/);
  fails('HEALTHCHECK --retries=x CMD x', /invalid --retries/);
});

test('CMD, ENTRYPOINT, SHELL, and the one-argument instructions', () => {
  assert.deepEqual(one('CMD []', 'CMD').args, []);
  assert.deepEqual([one('ENTRYPOINT exec app', 'ENTRYPOINT').shellForm, one('ENTRYPOINT ["app"]', 'ENTRYPOINT').shellForm], [true, false]);
  assert.deepEqual(one('SHELL ["powershell", "-command"]', 'SHELL').shell, ['powershell', '-command']);
  assert.equal(one('WORKDIR /a b', 'WORKDIR').path, '/a b');
  assert.equal(one('USER app:app', 'USER').user, 'app:app');
  assert.equal(one('STOPSIGNAL SIGKILL', 'STOPSIGNAL').signal, 'SIGKILL');
  assert.equal(one('MAINTAINER Jane <j@x>', 'MAINTAINER').maintainer, 'Jane <j@x>');
  assert.deepEqual(one('VOLUME ["/a", "/b"]', 'VOLUME').paths, ['/a', '/b']);
  assert.deepEqual(one('VOLUME /a /b', 'VOLUME').paths, ['/a', '/b']);
  fails('SHELL /bin/bash -c', /SHELL requires the arguments to be in JSON form/);
  fails('CMD ["a", 1]', /JSON array must contain only strings/);
  fails('WORKDIR', /WORKDIR requires exactly one argument/);
  fails('VOLUME [""]', /can not be an empty string/);
  fails('CMD --flag x', /unknown flag: --flag/, 5);
});

test('ONBUILD nests a typed trigger; forbidden triggers fail', () => {
  const onbuild = one('ONBUILD COPY --from=x a /b', 'ONBUILD');
  assert.equal(onbuild.trigger.kind, 'COPY');
  assert.equal(onbuild.expression, 'COPY --from=x a /b');
  assert.deepEqual(onbuild.trigger.keywordRange.start, { line: 2, column: 9 });
  fails('ONBUILD ONBUILD RUN x', /Chaining ONBUILD/, 9);
  fails('ONBUILD FROM x', /isn't allowed as an ONBUILD trigger/);
  fails('ONBUILD MAINTAINER x', /isn't allowed as an ONBUILD trigger/);
  fails('ONBUILD', /ONBUILD requires at least one argument/);
  fails('ONBUILD BOGUS x', /unknown instruction: BOGUS/);
});

test('unknown instructions: error with a suggestion and a column', () => {
  assert.throws(() => parseDockerfile('FROM scratch\n  COPPY a b\n'), (err: unknown) => {
    assert.ok(err instanceof DockerfileParseError);
    assert.deepEqual([err.line, err.column, err.hint], [2, 3, 'did you mean COPY?']);
    return true;
  });
});

test('helpers', () => {
  assert.equal(chompHeredoc('\t\ta\n\tb\nc\n'), 'a\nb\nc\n');
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('typed flags are made on first read and keep their ranges; ONBUILD triggers keep theirs', () => {
  const copy = one('COPY --from=build --chmod=0755 a /b', 'COPY');
  assert.equal(copy.flags, copy.flags);
  assert.deepEqual(copy.flags.map((f) => [f.name, f.value, f.range.start.column, f.range.end.column]), [['from', 'build', 6, 18], ['chmod', '0755', 19, 31]]);
  const json = JSON.parse(JSON.stringify(copy)) as { flags: unknown[]; range: unknown };
  assert.deepEqual(json.flags, [
    { name: 'from', value: 'build', range: copy.flags[0]!.range },
    { name: 'chmod', value: '0755', range: copy.flags[1]!.range },
  ]);
  assert.deepEqual(json.range, copy.range);
  const onbuild = one('ONBUILD RUN --network=none make', 'ONBUILD');
  assert.deepEqual(onbuild.trigger.keywordRange, { start: { line: 2, column: 9 }, end: { line: 2, column: 12 } });
  assert.deepEqual(onbuild.trigger.flags[0]!.range, { start: { line: 2, column: 13 }, end: { line: 2, column: 27 } });
  assert.equal(onbuild.trigger.raw, 'RUN --network=none make');
});
