// BuildKit's Dockerfile golden data (see the data folder's README for the formats), turned into a
// list of pass/fail results. Shared by scripts/conformance.ts and conformance.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTree } from '../../../src/dockerfile/tree.js';
import { dumpTree } from '../../../src/dockerfile/dump.js';
import { expandWord, expandWords } from '../../../src/dockerfile/shell-lexer.js';
import { isOciKitError } from '../../../src/errors.js';

export interface CaseResult {
  name: string;
  ok: boolean;
  detail?: string;
}

const LINE_EXPECTATIONS = { root: [5, 31], children: [[5, 5], [11, 12], [17, 31]] };
const ENV_VAR_TEST_ENV = { PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' };

function attempt(name: string, fn: () => string | undefined): CaseResult {
  try {
    const problem = fn();
    return problem === undefined ? { name, ok: true } : { name, ok: false, detail: problem };
  } catch (err) {
    return { name, ok: false, detail: `  threw ${(err as Error).stack ?? String(err)}` };
  }
}

/** Runs every case below `root` (the `conformance/buildkit` folder). */
export function runConformance(root: string): CaseResult[] {
  const base = join(root, 'frontend', 'dockerfile');
  const results: CaseResult[] = [];

  const positive = join(base, 'parser', 'testfiles');
  for (const name of readdirSync(positive).sort()) {
    results.push(
      attempt(`parser/testfiles/${name}`, () => {
        const source = readFileSync(join(positive, name, 'Dockerfile'), 'utf8');
        const expected = readFileSync(join(positive, name, 'result'), 'utf8');
        const actual = dumpTree(parseTree(source, { filename: `${name}/Dockerfile` }));
        if (actual === expected) return undefined;
        return diff(expected, actual);
      }),
    );
  }

  const negative = join(base, 'parser', 'testfiles-negative');
  for (const name of readdirSync(negative).sort()) {
    results.push(
      attempt(`parser/testfiles-negative/${name}`, () => {
        const source = readFileSync(join(negative, name, 'Dockerfile'), 'utf8');
        try {
          parseTree(source);
        } catch (err) {
          if (isOciKitError(err, 'ERR_DOCKERFILE_PARSE')) return undefined;
          return `  failed with an untyped error: ${String(err)}`;
        }
        return '  parsed, but must fail';
      }),
    );
  }

  results.push(
    attempt('parser/testfile-line', () => {
      const tree = parseTree(readFileSync(join(base, 'parser', 'testfile-line', 'Dockerfile'), 'utf8'));
      const actual = {
        root: [tree.range.start.line, tree.range.end.line],
        children: tree.nodes.map((n) => [n.range.start.line, n.range.end.line]),
      };
      const a = JSON.stringify(actual);
      const e = JSON.stringify(LINE_EXPECTATIONS);
      return a === e ? undefined : `  expected ${e}\n  actual   ${a}`;
    }),
  );

  const envLines = readFileSync(join(base, 'shell', 'envVarTest'), 'utf8').split('\n');
  envLines.forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const fields = line.split('|').map((f) => f.trim());
    const name = `shell/envVarTest:${index + 1}`;
    if (fields.length !== 3) {
      results.push({ name, ok: false, detail: `  malformed line ${JSON.stringify(line)}` });
      return;
    }
    const [platform, input, expected] = fields as [string, string, string];
    results.push(
      attempt(name, () => {
        const caseInsensitive = platform === 'W';
        let actual: string;
        try {
          actual = expandWord(input, ENV_VAR_TEST_ENV, { caseInsensitive }).value;
        } catch (err) {
          if (!isOciKitError(err, 'ERR_DOCKERFILE_EXPAND')) throw err;
          actual = 'error';
        }
        return actual === expected ? undefined : `  ${input}\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(actual)}`;
      }),
    );
  });

  const env: Record<string, string> = {};
  const wordLines = readFileSync(join(base, 'shell', 'wordsTest'), 'utf8').split('\n');
  wordLines.forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    if (line.startsWith('ENV ')) {
      const assignment = line.slice(4).replace(/^ +/, '');
      const eq = assignment.indexOf('=');
      env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
      return;
    }
    const name = `shell/wordsTest:${index + 1}`;
    const parts = line.split('|');
    if (parts.length !== 2) {
      results.push({ name, ok: false, detail: `  malformed line ${JSON.stringify(line)}` });
      return;
    }
    const input = parts[0]!.trim();
    const expectedSide = parts[1]!.replace(/^ +/, '');
    const snapshot = { ...env };
    results.push(
      attempt(name, () => {
        let actual: string[] | 'error';
        try {
          actual = expandWords(input, snapshot).words;
        } catch (err) {
          if (!isOciKitError(err, 'ERR_DOCKERFILE_EXPAND')) throw err;
          actual = 'error';
        }
        const expected = expectedSide === 'error' ? 'error' : expectedSide.split(',');
        const a = JSON.stringify(actual);
        const e = JSON.stringify(expected);
        return a === e ? undefined : `  ${input}\n  expected ${e}\n  actual   ${a}`;
      }),
    );
  });
  return results;
}

function diff(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) out.push(`  line ${i + 1}\n    expected ${e[i] ?? '<none>'}\n    actual   ${a[i] ?? '<none>'}`);
  }
  return out.join('\n');
}
