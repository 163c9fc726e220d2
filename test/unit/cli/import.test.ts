import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadImage } from '../../../src/image/index.js';
import { OciLayout } from '../../../src/store/layout.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeTar } from '../archive/fixtures.js';

test('import FILE REF --change --platform, and import - from stdin', async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'store');
  const tar = await makeTar([{ name: 'hello', data: 'hi' }]);
  await writeFile(join(dir, 'rootfs.tar'), tar);
  const r = await runCli(['--store', store, 'import', join(dir, 'rootfs.tar'), 'rootfs:1', '-c', 'CMD ["/hello"]', '--change', 'USER 1000', '--platform', 'linux/arm64']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^rootfs:1@sha256:[0-9a-f]{64}\n$/);
  const image = await loadImage(await OciLayout.open(store), 'rootfs:1', { platform: 'linux/arm64' });
  assert.deepEqual(image.config.config?.Cmd, ['/hello']);
  assert.equal(image.config.config?.User, '1000');

  const s = await runCli(['--store', store, 'import', '-', 'fromstdin:1'], {}, gzipSync(tar));
  assert.equal(s.code, 0, s.stderr);
  const bad = await runCli(['--store', store, 'import', join(dir, 'rootfs.tar'), 'x:1', '-c', 'RUN rm -rf /']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid --change/);
  assert.equal((await runCli(['--store', store, 'import'])).code, 2);
});
