import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgScope, buildHostPlatform, buildPlatform, envToMap, platformArgs, resolveBuildArgs, setEnv } from '../../../src/build/args.js';
import { hostPlatform } from '../../../src/image/platform.js';

const predefined = platformArgs({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'amd64' });

test('resolveBuildArgs: K=V, K from the environment, K dropped when the environment lacks it', () => {
  const args = resolveBuildArgs(['A=1', 'B', 'C', 'D='], { B: 'from-env' });
  assert.deepEqual([...args], [['A', '1'], ['B', 'from-env'], ['D', '']]);
  assert.deepEqual([...resolveBuildArgs({ X: undefined, Y: 'y' }, { X: 'x' })], [['X', 'x'], ['Y', 'y']]);
});

test('platformArgs fills the TARGET* and BUILD* names', () => {
  assert.equal(predefined.get('TARGETPLATFORM'), 'linux/arm64');
  assert.equal(predefined.get('TARGETARCH'), 'arm64');
  assert.equal(predefined.get('TARGETVARIANT'), '');
  assert.equal(predefined.get('BUILDPLATFORM'), 'linux/amd64');
  assert.equal(predefined.get('BUILDOS'), 'linux');
});

test('global ARGs are visible in FROM, and in a stage only after a bare redeclaration', () => {
  const scope = new ArgScope(new Map([['VERSION', '2']]), predefined);
  scope.declareGlobal('VERSION', '1');
  scope.declareGlobal('BASE', 'alpine');
  assert.equal(scope.lookupGlobal('VERSION'), '2');
  assert.equal(scope.lookupGlobal('TARGETARCH'), 'arm64');
  const stage = scope.forStage();
  assert.equal(stage.lookupIn([])('BASE'), undefined);
  stage.declare('BASE', undefined);
  assert.equal(stage.lookupIn([])('BASE'), 'alpine');
  stage.declare('TARGETARCH', undefined);
  assert.equal(stage.lookupIn([])('TARGETARCH'), 'arm64');
});

test('ENV wins over ARG for expansion and RUN environment; ARGs reach RUN only with a value', () => {
  const scope = new ArgScope(new Map([['HTTP_PROXY', 'http://proxy'], ['UNUSED', 'x']]), predefined).forStage();
  scope.declare('NAME', 'arg');
  scope.declare('EMPTY', undefined);
  scope.declare('ONLY', 'only');
  const env = ['NAME=env'];
  assert.equal(scope.lookupIn(env)('NAME'), 'env');
  assert.deepEqual(scope.runEnv(env), ['NAME=env', 'ONLY=only', 'HTTP_PROXY=http://proxy']);
  assert.deepEqual(scope.argsForCacheKey(), ['NAME=arg', 'ONLY=only']);
  assert.deepEqual(scope.unconsumed(), ['UNUSED']);
});

test('setEnv replaces in place; envToMap splits K=V', () => {
  assert.deepEqual(setEnv(['A=1', 'B=2'], 'A', '3'), ['A=3', 'B=2']);
  assert.deepEqual(setEnv(undefined, 'A', '1'), ['A=1']);
  assert.deepEqual([...envToMap(['A=1=2', 'B'])], [['A', '1=2'], ['B', '']]);
});

test('buildPlatform normalizes like containerd', () => {
  assert.deepEqual(buildPlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(buildPlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(buildPlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(buildPlatform('aarch64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(buildPlatform('Linux/X86_64'), { os: 'linux', architecture: 'amd64' });
  assert.throws(() => buildPlatform('linux//x'), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_PLATFORM');
});

test('buildHostPlatform is linux on this machine\'s architecture', () => {
  assert.equal(buildHostPlatform().os, 'linux');
  assert.equal(buildHostPlatform().architecture, hostPlatform().architecture);
});
