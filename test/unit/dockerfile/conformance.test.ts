// Runs BuildKit's Dockerfile golden data (../shared/conformance/buildkit, relative to the repo root)
// through the parser and the lexer. A missing folder is a failure, not a skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { runConformance } from './conformance-cases.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = resolve(repoRoot, '..', 'shared', 'conformance', 'buildkit');

test('BuildKit conformance data is present', () => {
  assert.ok(existsSync(dataDir), `conformance data folder NOT FOUND at ${dataDir}: these tests cannot run`);
});

test('every BuildKit parser and lexer case passes', () => {
  assert.ok(existsSync(dataDir), `conformance data folder NOT FOUND at ${dataDir}`);
  const results = runConformance(dataDir);
  const failures = results.filter((r) => !r.ok).map((r) => `${r.name}\n${r.detail ?? ''}`);
  assert.equal(results.length, 33 + 4 + 1 + 230 + 24, 'unexpected number of cases');
  assert.deepEqual(failures, []);
});
