import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, splitStages } from '../../../src/dockerfile/parse.js';
import { DockerfileParseError } from '../../../src/dockerfile/errors.js';

const MULTI = `# syntax=docker/dockerfile:1
ARG BASE=alpine
ARG VERSION
# the build stage
FROM --platform=$BUILDPLATFORM golang AS Build
RUN go build
FROM $BASE
COPY --from=build /out /app
# trailing comment
`;

test('parseDockerfile returns directives, typed instructions, comments', () => {
  const df = parseDockerfile(MULTI, { filename: 'build/Dockerfile' });
  assert.equal(df.filename, 'build/Dockerfile');
  assert.deepEqual(df.directives.map((d) => d.name), ['syntax']);
  assert.deepEqual(df.instructions.map((i) => i.kind), ['ARG', 'ARG', 'FROM', 'RUN', 'FROM', 'COPY']);
  assert.deepEqual(df.comments.map((c) => [c.text, c.range.start.line]), [['the build stage', 4], ['trailing comment', 9]]);
  assert.deepEqual(df.instructions[2]!.comments, ['the build stage']);
  assert.equal(df.trailing, '# trailing comment\n');
});

test('splitStages: global ARGs, names lower-cased, platform, instructions', () => {
  const { globalArgs, stages } = splitStages(parseDockerfile(MULTI));
  assert.deepEqual(globalArgs.flatMap((a) => a.args.map((x) => x.name)), ['BASE', 'VERSION']);
  assert.equal(stages.length, 2);
  assert.deepEqual([stages[0]!.index, stages[0]!.name, stages[0]!.base, stages[0]!.platform], [0, 'build', 'golang', '$BUILDPLATFORM']);
  assert.deepEqual(stages[0]!.instructions.map((i) => i.kind), ['RUN']);
  assert.deepEqual([stages[1]!.name, stages[1]!.base, stages[1]!.instructions.map((i) => i.kind)], [undefined, '$BASE', ['COPY']]);
});

test('splitStages rejects instructions before FROM and files without FROM', () => {
  assert.throws(() => splitStages(parseDockerfile('ENV A=1\nFROM a\n')), (err: unknown) => err instanceof DockerfileParseError && /no build stage/.test(err.message) && err.line === 1);
  assert.throws(() => splitStages(parseDockerfile('ARG A=1\n')), /no FROM instruction/);
});
