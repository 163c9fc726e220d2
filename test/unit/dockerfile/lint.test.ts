import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint, lintRuleUrl, parseCheckDirective, LINT_RULES } from '../../../src/dockerfile/lint.js';

function rules(text: string): string[] {
  return lint(text).map((f) => `${f.range.start.line}:${f.rule}`);
}

test('each rule fires on a minimal example and stays quiet on the fixed one', () => {
  const cases: [string, string, string, string][] = [
    ['StageNameCasing', 'FROM a AS Build\n', '1:StageNameCasing', 'FROM a AS build\n'],
    ['FromAsCasing', 'FROM a as b\n', '1:FromAsCasing', 'FROM a AS b\n'],
    ['NoEmptyContinuation', 'FROM a\nRUN a \\\n\n b\n', '2:NoEmptyContinuation', 'FROM a\nRUN a \\\n b\n'],
    ['ConsistentInstructionCasing', 'FROM a\nrun x\nRUN y\n', '2:ConsistentInstructionCasing', 'from a\nrun x\nrun y\n'],
    ['DuplicateStageName', 'FROM a AS x\nFROM b AS X\n', '2:DuplicateStageName', 'FROM a AS x\nFROM b AS y\n'],
    ['ReservedStageName', 'FROM a AS scratch\n', '1:ReservedStageName', 'FROM a AS base\n'],
    ['JSONArgsRecommended', 'FROM a\nCMD run me\n', '2:JSONArgsRecommended', 'FROM a\nCMD ["run", "me"]\n'],
    ['MaintainerDeprecated', 'FROM a\nMAINTAINER me\n', '2:MaintainerDeprecated', 'FROM a\nLABEL org.opencontainers.image.authors=me\n'],
    ['UndefinedArgInFrom', 'FROM a:$TAG\n', '1:UndefinedArgInFrom', 'ARG TAG=1\nFROM a:$TAG\n'],
    ['WorkdirRelativePath', 'FROM a\nWORKDIR app\n', '2:WorkdirRelativePath', 'FROM a\nWORKDIR /srv\nWORKDIR app\n'],
    ['UndefinedVar', 'FROM a\nCOPY $SRC /x\n', '2:UndefinedVar', 'FROM a\nARG SRC\nCOPY $SRC /x\n'],
    ['MultipleInstructionsDisallowed', 'FROM a\nENTRYPOINT ["a"]\nENTRYPOINT ["b"]\n', '2:MultipleInstructionsDisallowed', 'FROM a\nENTRYPOINT ["a"]\nFROM b\nENTRYPOINT ["b"]\n'],
    ['LegacyKeyValueFormat', 'FROM a\nENV A b\n', '2:LegacyKeyValueFormat', 'FROM a\nENV A=b\n'],
    ['RedundantTargetPlatform', 'FROM --platform=$TARGETPLATFORM a\n', '1:RedundantTargetPlatform', 'FROM --platform=$BUILDPLATFORM a\n'],
    ['SecretsUsedInArgOrEnv', 'FROM a\nARG GITHUB_TOKEN\n', '2:SecretsUsedInArgOrEnv', 'FROM a\nARG PUBLIC_KEY\n'],
    ['InvalidDefaultArgInFrom', 'ARG TAG\nFROM alpine:$TAG\n', '2:InvalidDefaultArgInFrom', 'ARG TAG=3.20\nFROM alpine:$TAG\n'],
    ['FromPlatformFlagConstDisallowed', 'FROM --platform=linux/amd64 a\n', '1:FromPlatformFlagConstDisallowed', 'FROM --platform=linux/amd64 a AS build-amd64\n'],
    ['ExposeProtoCasing', 'FROM a\nEXPOSE 80/TCP\n', '2:ExposeProtoCasing', 'FROM a\nEXPOSE 80/tcp\n'],
    ['ExposeInvalidFormat', 'FROM a\nEXPOSE 8080:80\n', '2:ExposeInvalidFormat', 'FROM a\nEXPOSE 80\n'],
  ];
  assert.deepEqual(cases.map((c) => c[0]).sort(), Object.keys(LINT_RULES).sort(), 'every rule has a case');
  for (const [rule, bad, expected, good] of cases) {
    assert.ok(rules(bad).includes(expected), `${rule}: ${JSON.stringify(rules(bad))}`);
    assert.deepEqual(rules(good).filter((r) => r.endsWith(`:${rule}`)), [], `${rule} on the fixed file`);
  }
});

test('findings carry level, range, message and url', () => {
  const [finding] = lint('FROM a AS Build\n');
  assert.deepEqual(finding, {
    rule: 'StageNameCasing',
    level: 'warning',
    range: { start: { line: 1, column: 1 }, end: { line: 1, column: 16 } },
    message: "Stage name 'Build' should be lowercase",
    url: 'https://docs.docker.com/go/dockerfile/rule/stage-name-casing/',
  });
  assert.equal(lintRuleUrl('JSONArgsRecommended'), 'https://docs.docker.com/go/dockerfile/rule/json-args-recommended/');
});

test('UndefinedVar: scoping of ARG, ENV, stages, suggestions', () => {
  const text = [
    'ARG GLOBAL=1',
    'FROM a AS base',
    'ENV FOO=1',
    'COPY $GLOBAL $FOO /x',
    'ARG GLOBAL',
    'COPY $GLOBAL /y',
    'FROM base',
    'COPY $FOO $PATH /z',
    'COPY $FOOO /w',
    'FROM scratch',
    'COPY $PATH $TARGETARCH /v',
    'ARG TARGETARCH',
    'COPY $TARGETARCH /u',
    'RUN echo $NOT_CHECKED',
    '',
  ].join('\n');
  const findings = lint(text).filter((f) => f.rule === 'UndefinedVar');
  assert.deepEqual(findings.map((f) => [f.range.start.line, f.message]), [
    [4, "Usage of undefined variable '$GLOBAL'"],
    [9, "Usage of undefined variable '$FOOO' (did you mean $FOO?)"],
    [11, "Usage of undefined variable '$PATH'"],
    [11, "Usage of undefined variable '$TARGETARCH'"],
  ]);
});

test('check directive: skip lists, skip=all, error=true', () => {
  assert.deepEqual(parseCheckDirective('skip=A,B;error=true'), { skip: ['A', 'B'], error: true });
  assert.deepEqual(parseCheckDirective(' Skip = all ; junk'), { skip: ['all'], error: false });
  const bad = 'FROM a AS Build\nMAINTAINER x\n';
  assert.deepEqual(lint(`# check=skip=StageNameCasing\n${bad}`).map((f) => f.rule), ['MaintainerDeprecated']);
  assert.deepEqual(lint(`# check=skip=all\n${bad}`), []);
  assert.deepEqual(lint(`# check=error=true\n${bad}`).map((f) => f.level), ['error', 'error']);
  assert.deepEqual(lint(bad, { skip: ['MaintainerDeprecated'], error: true }).map((f) => [f.rule, f.level]), [['StageNameCasing', 'error']]);
});

test('a clean Dockerfile has no findings', () => {
  const text = '# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\nFROM $BASE AS build\nWORKDIR /src\nENV PATH=/go/bin:$PATH\nCOPY . .\nRUN make\nFROM scratch\nCOPY --from=build /src/out /out\nUSER 1000\nEXPOSE 8080\nENTRYPOINT ["/out"]\n';
  assert.deepEqual(lint(text), []);
});
