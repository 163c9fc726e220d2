import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

test('lint prints FILE:LINE:COL Rule - message and exits 0 on warnings', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'Dockerfile');
  writeFileSync(file, 'FROM alpine AS Build\nMAINTAINER me\n');
  const r = await runCli(['lint', '-f', file]);
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    `${file}:1:1 StageNameCasing - Stage name 'Build' should be lowercase\n${file}:2:1 MaintainerDeprecated - Maintainer instruction is deprecated in favor of using label\n`,
  );
  assert.match(r.stderr, /2 findings \(0 errors\)/);
});

test('lint exits 1 when check=error=true or --error makes a finding an error', async () => {
  const withDirective = await runCli(['lint', '-f', '-'], {}, '# check=error=true\nFROM a\nMAINTAINER me\n');
  assert.equal(withDirective.code, 1);
  assert.match(withDirective.stdout, /^<stdin>:3:1 MaintainerDeprecated/);
  const withFlag = await runCli(['lint', '--error', '-f', '-'], {}, 'FROM a\nMAINTAINER me\n');
  assert.equal(withFlag.code, 1);
  const skipped = await runCli(['lint', '--error', '--skip', 'MaintainerDeprecated', '-f', '-'], {}, 'FROM a\nMAINTAINER me\n');
  assert.deepEqual([skipped.code, skipped.stdout], [0, '']);
});

test('lint --format json', async () => {
  const r = await runCli(['lint', '--format', 'json', '-f', '-'], {}, 'FROM a\nCMD x\n');
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout) as { file: string; findings: { rule: string; level: string }[] };
  assert.equal(out.file, '<stdin>');
  assert.deepEqual(out.findings.map((f) => [f.rule, f.level]), [['JSONArgsRecommended', 'warning']]);
});

test('lint reports parse errors and missing files as errors', async (t) => {
  const bad = await runCli(['lint', '-f', '-'], {}, 'FROM a\nFOO bar\n');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /oci-kit: error: <stdin>:2:1: unknown instruction: FOO/);
  const dir = await tempDir(t);
  const missing = await runCli(['lint', '-f', join(dir, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no Dockerfile at/);
});
