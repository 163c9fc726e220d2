import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  familiarName,
  familiarReference,
  formatReference,
  isValidReference,
  parseReference,
  registryHost,
  repositoryOf,
  withTag,
} from '../../../src/reference/reference.js';
import { InvalidReferenceError } from '../../../src/reference/errors.js';
import { isOciKitError } from '../../../src/errors.js';

const SHA = `sha256:${'a1'.repeat(32)}`;
const SHA512 = `sha512:${'b2'.repeat(64)}`;
const TAG128 = `t${'x'.repeat(127)}`;
const PATH255 = `a/${'b'.repeat(253)}`;

// [input, full normalized form, familiar form]
const VALID: Array<[string, string, string]> = [
  ['ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu:latest'],
  ['ubuntu:22.04', 'docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
  ['library/ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu:latest'],
  ['docker.io/ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu:latest'],
  ['docker.io/library/ubuntu:18.04', 'docker.io/library/ubuntu:18.04', 'ubuntu:18.04'],
  ['index.docker.io/ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu:latest'],
  ['index.docker.io/library/ubuntu:1', 'docker.io/library/ubuntu:1', 'ubuntu:1'],
  ['index.docker.io/user/app', 'docker.io/user/app:latest', 'user/app:latest'],
  ['registry-1.docker.io/library/ubuntu', 'registry-1.docker.io/library/ubuntu:latest', 'registry-1.docker.io/library/ubuntu:latest'],
  ['user/app', 'docker.io/user/app:latest', 'user/app:latest'],
  ['user/app/sub', 'docker.io/user/app/sub:latest', 'user/app/sub:latest'],
  ['docker.io/library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest'],
  ['localhost/x', 'localhost/x:latest', 'localhost/x:latest'],
  ['localhost:5000/x:1', 'localhost:5000/x:1', 'localhost:5000/x:1'],
  ['localhost', 'docker.io/library/localhost:latest', 'localhost:latest'],
  ['localhost:5000', 'docker.io/library/localhost:5000', 'localhost:5000'],
  ['host:5000', 'docker.io/library/host:5000', 'host:5000'],
  ['host:5000/a/b:tag', 'host:5000/a/b:tag', 'host:5000/a/b:tag'],
  ['example.com/a', 'example.com/a:latest', 'example.com/a:latest'],
  ['127.0.0.1:5000/a', '127.0.0.1:5000/a:latest', '127.0.0.1:5000/a:latest'],
  ['[::1]:5000/x', '[::1]:5000/x:latest', '[::1]:5000/x:latest'],
  ['[::1]/x', '[::1]/x:latest', '[::1]/x:latest'],
  ['[2001:db8::1]:443/org/app:v1', '[2001:db8::1]:443/org/app:v1', '[2001:db8::1]:443/org/app:v1'],
  ['[2001:DB8::1]/a', '[2001:DB8::1]/a:latest', '[2001:DB8::1]/a:latest'],
  ['Foo/bar', 'Foo/bar:latest', 'Foo/bar:latest'],
  ['EXAMPLE.com:80/a', 'EXAMPLE.com:80/a:latest', 'EXAMPLE.com:80/a:latest'],
  [`ubuntu@${SHA}`, `docker.io/library/ubuntu@${SHA}`, `ubuntu@${SHA}`],
  [`ubuntu:latest@${SHA}`, `docker.io/library/ubuntu:latest@${SHA}`, `ubuntu:latest@${SHA}`],
  [`ghcr.io/org/app:1.2.3@${SHA}`, `ghcr.io/org/app:1.2.3@${SHA}`, `ghcr.io/org/app:1.2.3@${SHA}`],
  [`localhost:5000/x@${SHA512}`, `localhost:5000/x@${SHA512}`, `localhost:5000/x@${SHA512}`],
  ['a.b.c/d-e/f_g:t', 'a.b.c/d-e/f_g:t', 'a.b.c/d-e/f_g:t'],
  ['a/b__c', 'docker.io/a/b__c:latest', 'a/b__c:latest'],
  ['a/b---c', 'docker.io/a/b---c:latest', 'a/b---c:latest'],
  ['a/b.c.d', 'docker.io/a/b.c.d:latest', 'a/b.c.d:latest'],
  ['ubuntu:Latest', 'docker.io/library/ubuntu:Latest', 'ubuntu:Latest'],
  ['ubuntu:_tag', 'docker.io/library/ubuntu:_tag', 'ubuntu:_tag'],
  ['ubuntu:a.b-c_D', 'docker.io/library/ubuntu:a.b-c_D', 'ubuntu:a.b-c_D'],
  [`ubuntu:${TAG128}`, `docker.io/library/ubuntu:${TAG128}`, `ubuntu:${TAG128}`],
  [PATH255, `docker.io/${PATH255}:latest`, `${PATH255}:latest`],
  ['my-registry.local:5000/x', 'my-registry.local:5000/x:latest', 'my-registry.local:5000/x:latest'],
  ['xn--bcher-kva.example/a', 'xn--bcher-kva.example/a:latest', 'xn--bcher-kva.example/a:latest'],
  ['sub-domain.example.com/ns/repo', 'sub-domain.example.com/ns/repo:latest', 'sub-domain.example.com/ns/repo:latest'],
  ['0/1', 'docker.io/0/1:latest', '0/1:latest'],
  ['a1.b2/c', 'a1.b2/c:latest', 'a1.b2/c:latest'],
  ['docker.io/docker.io', 'docker.io/library/docker.io:latest', 'docker.io:latest'],
  // A bare domain-like name has no slash, so Docker reads it as a Docker Hub name (normalize.go FIXME).
  ['example.com', 'docker.io/library/example.com:latest', 'example.com:latest'],
  ['quay.io/library/ubuntu', 'quay.io/library/ubuntu:latest', 'quay.io/library/ubuntu:latest'],
];

// [input, a fragment of the expected message]
const INVALID: Array<[string, string | RegExp]> = [
  ['', 'invalid reference format'],
  ['Ubuntu', 'repository name (library/Ubuntu) must be lowercase'],
  ['user/App', 'repository name (user/App) must be lowercase'],
  ['a/B', 'must be lowercase'],
  ['localhost:5000/Foo', 'repository name (Foo) must be lowercase'],
  ['registry.example.com:5000/Team/App:1', 'repository name (Team/App) must be lowercase'],
  ['f'.repeat(64), 'cannot specify 64-byte hexadecimal strings'],
  ['ubuntu:', 'invalid reference format'],
  ['ubuntu@', 'invalid reference format'],
  [':tag', 'invalid reference format'],
  ['a//b', 'invalid reference format'],
  ['/a', 'invalid reference format'],
  ['a/', 'invalid reference format'],
  ['ubuntu:-tag', 'invalid reference format'],
  ['ubuntu:.tag', 'invalid reference format'],
  [`ubuntu:${TAG128}x`, 'invalid reference format'],
  ['ubuntu:tag with space', 'invalid reference format'],
  ['a/b_', 'invalid reference format'],
  ['a/_b', 'invalid reference format'],
  ['a/b..c', 'invalid reference format'],
  ['a/b___c', 'invalid reference format'],
  ['a/b-', 'invalid reference format'],
  ['a/-b', 'invalid reference format'],
  ['host:port/x', 'invalid reference format'],
  ['host:/x', 'invalid reference format'],
  ['-host.com/x', 'invalid reference format'],
  ['host-.com/x', 'invalid reference format'],
  ['foo_bar.com/x', 'invalid reference format'],
  ['[::1/x', 'invalid reference format'],
  ['[zz::1]:5000/x', 'invalid reference format'],
  ['[::1]5000/x', 'invalid reference format'],
  ['[]/x', 'invalid reference format'],
  ['ubuntu@sha256:abc', 'invalid reference format'],
  [`ubuntu@sha256:${'A'.repeat(64)}`, 'invalid digest format'],
  [`ubuntu@md5:${'a'.repeat(32)}`, 'invalid digest format'],
  [`ubuntu@sha256:${'a'.repeat(63)}`, 'invalid digest format'],
  [`ubuntu@@${SHA}`, 'invalid reference format'],
  [`ubuntu@${SHA}@${SHA}`, 'invalid reference format'],
  [`ubuntu@${SHA}:tag`, 'invalid reference format'],
  ['a:b:c', 'invalid reference format'],
  ['a/b:c/d', 'invalid reference format'],
  [`a/${'b'.repeat(254)}`, 'repository name must not be more than 255 characters'],
  [`localhost/${'b'.repeat(256)}`, 'repository name must not be more than 255 characters'],
  ['ubuntu:latest:latest', 'invalid reference format'],
  [' ubuntu', 'invalid reference format'],
  ['ubuntu\n', 'invalid reference format'],
  ['ubuntu:tag@', 'invalid reference format'],
  ['ubuntu:ä', 'invalid reference format'],
  ['ubuntü', 'invalid reference format'],
  ['a/b c', 'invalid reference format'],
  ['localhost/', 'invalid reference format'],
  ['https://example.com/a', 'invalid reference format'],
  ['a/b.', 'invalid reference format'],
];

test('the table covers at least 60 cases', () => {
  assert.ok(VALID.length + INVALID.length >= 60, `${VALID.length + INVALID.length} cases`);
});

for (const [input, full, familiar] of VALID) {
  test(`valid: ${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}...` : input)}`, () => {
    const ref = parseReference(input);
    assert.equal(formatReference(ref), full);
    assert.equal(familiarReference(ref), familiar);
    assert.equal(isValidReference(input), true);
    // The normalized form is a fixed point.
    assert.deepEqual(parseReference(full), ref);
  });
}

for (const [input, message] of INVALID) {
  test(`invalid: ${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}...` : input)}`, () => {
    assert.throws(
      () => parseReference(input),
      (err: unknown) => {
        assert.ok(err instanceof InvalidReferenceError);
        assert.ok(isOciKitError(err, 'ERR_INVALID_REFERENCE'));
        if (typeof message === 'string') assert.ok(err.message.includes(message), err.message);
        else assert.match(err.message, message);
        return true;
      },
    );
    assert.equal(isValidReference(input), false);
  });
}

test('parseReference splits into registry, repository, tag and digest', () => {
  assert.deepEqual(parseReference('ubuntu'), { registry: 'docker.io', repository: 'library/ubuntu', tag: 'latest' });
  assert.deepEqual(parseReference(`localhost:5000/a/b:1@${SHA}`), {
    registry: 'localhost:5000',
    repository: 'a/b',
    tag: '1',
    digest: SHA,
  });
  // A digest alone gets no default tag, exactly like TagNameOnly.
  assert.deepEqual(parseReference(`ubuntu@${SHA}`), { registry: 'docker.io', repository: 'library/ubuntu', digest: SHA });
});

test('defaultTag: false leaves a bare name untagged', () => {
  const ref = parseReference('ubuntu', { defaultTag: false });
  assert.deepEqual(ref, { registry: 'docker.io', repository: 'library/ubuntu' });
  assert.equal(formatReference(ref), 'docker.io/library/ubuntu');
  assert.equal(familiarReference(ref), 'ubuntu');
});

test('repositoryOf and familiarName drop tag and digest', () => {
  const ref = parseReference(`ubuntu:1@${SHA}`);
  assert.equal(repositoryOf(ref), 'docker.io/library/ubuntu');
  assert.equal(familiarName(ref), 'ubuntu');
  assert.equal(familiarName(parseReference('user/app')), 'user/app');
  assert.equal(familiarName(parseReference('quay.io/a/b')), 'quay.io/a/b');
});

test('errors carry hints saying which part is wrong', () => {
  const hintOf = (input: string): string | undefined => {
    try {
      parseReference(input);
    } catch (err) {
      return (err as InvalidReferenceError).hint;
    }
    return undefined;
  };
  assert.match(hintOf('ubuntu:-x') ?? '', /tag/);
  assert.match(hintOf('host:port/x') ?? '', /registry host/);
  assert.match(hintOf('ubuntu@sha256:1') ?? '', /digest/);
  assert.match(hintOf('a/b_') ?? '', /path components/);
  assert.match(hintOf(`ubuntu@md5:${'a'.repeat(32)}`) ?? '', /unsupported algorithm/);
  assert.match(hintOf('f'.repeat(64)) ?? '', /sha256:<hex>/);
});

test('withTag validates the tag and keeps the digest', () => {
  const ref = parseReference(`ubuntu@${SHA}`);
  assert.equal(formatReference(withTag(ref, 'v2')), `docker.io/library/ubuntu:v2@${SHA}`);
  assert.throws(() => withTag(ref, '-bad'), { code: 'ERR_INVALID_REFERENCE', message: /invalid tag format/ });
});

test('registryHost maps Docker Hub to its API host', () => {
  assert.equal(registryHost('docker.io'), 'registry-1.docker.io');
  assert.equal(registryHost('localhost:5000'), 'localhost:5000');
});

test('pathological input is rejected quickly', () => {
  // Linear-time checks: a long almost-valid name must not cause catastrophic backtracking.
  const long = `${'a-'.repeat(50_000)}!`;
  assert.equal(isValidReference(long), false);
  assert.equal(isValidReference(`${'a.'.repeat(50_000)}-/x`), false);
});
