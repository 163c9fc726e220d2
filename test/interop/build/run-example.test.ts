// examples/busybox-run/run.sh works end to end in a fresh store (CI runs every example).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';

const exec = promisify(execFile);
const script = fileURLToPath(new URL('../../../examples/busybox-run/run.sh', import.meta.url));

test('examples/busybox-run/run.sh builds with RUN, runs, commits', async (t) => {
  requireTool('bwrap', 'bubblewrap');
  requireTool('busybox', 'busybox-static');
  const store = join(await tempDir(t), 'store');
  const { stdout } = await exec('bash', [script], { env: { ...process.env, OCI_KIT_STORE: store }, maxBuffer: 16 << 20 });
  assert.match(stdout, /^busybox:local sha256:[0-9a-f]{64}/m);
  assert.match(stdout, /^hi from a RUN step$/m);
  assert.match(stdout, /^uid=1000\(app\) gid=1000\(app\)$/m);
  assert.match(stdout, /^-rw-r--r-- +1 1000 +1000 .* made-by-app$/m);
  assert.match(stdout, /^note$/m);
  assert.match(stdout, /sh -c echo note > \/home\/app\/note .* add a note/);
});
