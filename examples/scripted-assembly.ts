/**
 * Scripted assembly: an image built from code with the fluent ImageBuilder, no Dockerfile, no
 * daemon and no sandbox (nothing here runs a command inside the image). Run it from the repository:
 *
 *     node --import tsx examples/scripted-assembly.ts [STORE_DIR]
 *
 * It writes into STORE_DIR (default: a fresh temporary OCI layout), tags `scripted:latest`, and
 * prints the digest, the layers and the history, so `umoci unpack --image STORE_DIR:scripted:latest`
 * or `skopeo inspect oci:STORE_DIR:...` can look at the result.
 */
import { mkdtemp, writeFile, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageBuilder, OciLayout } from 'oci-kit';

const storeDir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'oci-kit-scripted-')));
const store = await OciLayout.open(storeDir, { create: true });

// A base with configuration and generated files: every call records one step, build() runs them.
const base = await ImageBuilder.scratch({ platform: 'linux/amd64' })
  .label('org.opencontainers.image.title', 'scripted-base')
  .env({ APP_HOME: '/app', LANG: 'C.UTF-8' })
  .addFiles({
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n',
    '/etc/group': 'root:x:0:\napp:x:1000:\n',
  })
  .workdir('/app')
  .build({ store });

// A child image on top of it: files owned by a user named in the base's /etc/passwd, a change
// made by plain code on the materialised rootfs (like `docker commit`), and the runtime config.
const image = await ImageBuilder.from(base)
  .addFiles({ 'config.json': JSON.stringify({ greeting: 'hello' }, null, 2), 'README': 'assembled by code\n' }, { chown: 'app:app' })
  .changes(
    async (rootfs) => {
      await mkdir(join(rootfs, 'app', 'data'), { recursive: true });
      await writeFile(join(rootfs, 'app', 'data', 'seed.txt'), 'seed\n');
      await symlink('data/seed.txt', join(rootfs, 'app', 'seed'));
    },
    { description: 'seed the data directory', key: 'seed-v1' },
  )
  .user('app')
  .expose(8080)
  .entrypoint(['/app/server'])
  .cmd(['--port', '8080'])
  .annotation('org.opencontainers.image.source', 'https://example.invalid/oci-kit/examples')
  .build({ store });

const name = await image.tag('scripted:latest');
console.log(`store:   ${storeDir}`);
console.log(`image:   ${name}`);
console.log(`digest:  ${image.digest}`);
console.log(`layers:  ${image.manifest!.layers.length}`);
for (const entry of image.config!.history ?? []) console.log(`history: ${entry.empty_layer ? '      ' : 'layer '} ${entry.created_by}`);
