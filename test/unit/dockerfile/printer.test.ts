import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../../../src/dockerfile/parse.js';
import { parseTree } from '../../../src/dockerfile/tree.js';
import { formatDockerfile, printDockerfile } from '../../../src/dockerfile/printer.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const conformance = resolve(repoRoot, '..', 'shared', 'conformance', 'buildkit', 'frontend', 'dockerfile', 'parser');

const FIXTURES: Record<string, string> = {
  crlf: 'FROM a\r\nRUN echo a \\\r\n  b\r\n\r\n# c\r\nCMD ["x"]\r\n',
  bom: '\ufeff# syntax=x\nFROM a\n',
  noFinalNewline: 'FROM a\nRUN x',
  heredocs: 'FROM a\nRUN <<EOF cat > /x\nline $A\nEOF\nCOPY <<-A <<B /d/\n\tx\n\tA\ny\nB\n\n\n',
  continuationComments: 'FROM a\nRUN a \\\n# inside\n\n   b\n  # trailing\n',
  backtick: '# escape=`\nFROM a\nRUN dir `\n  c:\\\n',
  onbuild: 'FROM a\nONBUILD RUN <<E\nx\nE\n',
  mixed: '\n\n  from   a   AS   b  \n\tRUN\tx\n',
};

test('print(parse(x)) === x for every conformance Dockerfile (parse tree)', () => {
  assert.ok(existsSync(conformance), `conformance data NOT FOUND at ${conformance}`);
  let count = 0;
  for (const set of ['testfiles', 'testfile-line']) {
    const dir = join(conformance, set);
    const cases = set === 'testfile-line' ? [''] : readdirSync(dir);
    for (const name of cases) {
      const text = readFileSync(join(dir, name, 'Dockerfile'), 'utf8');
      assert.equal(printDockerfile(parseTree(text)), text, name);
      count++;
    }
  }
  assert.equal(count, 34);
});

test('print(parse(x)) === x for typed parses of fixtures (CRLF, BOM, heredocs, ...)', () => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    assert.equal(printDockerfile(parseDockerfile(text)), text, name);
  }
});

test('an instruction with raw cleared is printed normalised, the rest byte for byte', () => {
  const df = parseDockerfile('FROM a\r\n# keep\r\nrun   echo   hi\r\nCMD x\r\n');
  const run = df.instructions[1]!;
  run.raw = '';
  assert.equal(printDockerfile(df), 'FROM a\r\n# keep\r\nRUN echo hi\r\nCMD x\r\n');
});

test('formatDockerfile normalises keywords, continuations and spacing', () => {
  const df = parseDockerfile('# syntax=docker/dockerfile:1\nfrom   alpine as build\n# note\nrun  apk add \\\n    curl  "a  b"\nCOPY --chown="a b" x /y\nFROM scratch\nonbuild run  x\nCOPY <<EOF /f\nbody\nEOF\n');
  assert.equal(
    formatDockerfile(df),
    '# syntax=docker/dockerfile:1\n\nFROM alpine as build\n# note\nRUN apk add curl "a  b"\nCOPY --chown="a b" x /y\n\nFROM scratch\nONBUILD RUN x\nCOPY <<EOF /f\nbody\nEOF\n',
  );
  // The normalised text parses to the same instructions.
  const again = parseDockerfile(formatDockerfile(df));
  assert.deepEqual(again.instructions.map((i) => i.node.args), df.instructions.map((i) => i.node.args).map((a, i) => (i === 1 ? ['apk add curl "a  b"'] : a)));
  assert.equal(formatDockerfile(parseDockerfile('FROM a\r\nRUN b\r\n')), 'FROM a\r\nRUN b\r\n');
});
