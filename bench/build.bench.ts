// Build throughput against buildah (vfs storage driver), measured in the same run on the same
// inputs, each contender a separate process under /usr/bin/time (wall time and peak RSS):
//
// 1. COPY-only: `FROM scratch` + `COPY . /data/` of a generated ~300 MB tree (20,000 source-like
//    files and 4 large binaries), into a fresh store each time. Goal: <= 0.5x buildah bud.
// 2. RUN over busybox: a base made from busybox-static, then four RUN steps (files, a user, a
//    deletion). Goal: <= 1.0x buildah bud (buildah with --isolation chroot, the lighter sandbox).
// 3. No-change rebuild of (1) in the same store: the whole `oci-kit build` process, and the
//    buildDockerfile() call alone (in-process, without Node and tsx start-up). Goal: < 0.5 s.
//
// Everything lives in /dev/shm so disk noise does not decide. Run: npm run bench build
// (BUILD_BENCH_SCALE=0.1 for a quick smoke run; BUILD_BENCH_RUNS=n for best of n, default 2).
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'src/cli/bin.ts');
const SHM = existsSync('/dev/shm') ? '/dev/shm' : '/tmp';

interface Measure {
  wall: number;
  rssMiB: number;
}

function timed(argv: string[], env: NodeJS.ProcessEnv = process.env): Measure {
  const r = spawnSync('/usr/bin/time', ['-f', '@@%e %M', ...argv], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@'));
  if (r.status !== 0 || !line) throw new Error(`bench: ${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-3000)}`);
  const [wall, rss] = line.slice(2).split(' ').map(Number) as [number, number];
  return { wall, rssMiB: rss / 1024 };
}

function best(runs: number, f: (i: number) => Measure): Measure {
  let out: Measure | undefined;
  for (let i = 0; i < runs; i++) {
    const m = f(i);
    if (!out || m.wall < out.wall) out = m;
  }
  return out!;
}

/** Deterministic tree: `scale` x (20,000 files of 0.5-17 KB + 4 x 16 MiB binaries) ~ 300 MB at scale 1. */
function generateTree(root: string, scale: number): number {
  let x = 0x9e3779b9;
  const rnd = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  let bytes = 0;
  const files = Math.round(20_000 * scale);
  for (let i = 0; i < files; i++) {
    const dir = join(root, `pkg${i % 97}`, `mod${(i >> 3) % 23}`);
    mkdirSync(dir, { recursive: true });
    const size = 500 + (rnd() % 16_500);
    const line = `export const value${i} = "${'x'.repeat(40)}";\n`;
    const body = line.repeat(Math.ceil(size / line.length)).slice(0, size);
    writeFileSync(join(dir, `file${i}.js`), body);
    bytes += size;
  }
  const big = Math.max(1, Math.round(16 * scale)) << 20;
  for (let i = 0; i < 4; i++) {
    const buf = Buffer.allocUnsafe(big);
    for (let o = 0; o + 4 <= big; o += 4) buf.writeUInt32LE(rnd(), o);
    writeFileSync(join(root, `blob${i}.bin`), buf);
    bytes += big;
  }
  return bytes;
}

/** The CLI as users run it: compiled JavaScript (`npx oci-kit`), else through tsx. */
let cliArgv: string[] = ['--import', 'tsx', CLI];
let cliKind = 'tsx';

function compileCli(work: string): void {
  const outDir = join(work, 'dist');
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'], { encoding: 'utf8' });
  if (r.status === 0 && existsSync(join(outDir, 'cli/bin.js'))) {
    // dist/ resolves packages from the repository's node_modules through this link.
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
    cliArgv = [join(outDir, 'cli/bin.js')];
    cliKind = 'compiled';
  }
}

const ours = (store: string, context: string, extra: string[] = []) =>
  timed([process.execPath, ...cliArgv, '--store', store, 'build', '-q', ...extra, context], { ...process.env, SOURCE_DATE_EPOCH: '0' });

function buildah(root: string, context: string, tag: string, extra: string[] = []): Measure {
  return timed(['buildah', '--root', join(root, 'root'), '--runroot', join(root, 'run'), '--storage-driver', 'vfs', 'bud', '--quiet', ...extra, '-t', tag, context]);
}

function removeAll(...dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

export async function run(): Promise<void> {
  const scale = Number(process.env.BUILD_BENCH_SCALE ?? '1');
  const runs = Number(process.env.BUILD_BENCH_RUNS ?? '2');
  // Lower case only: buildah derives an image name from the layout path.
  const work = join(SHM, `oci-kit-build-bench-${process.pid}`);
  mkdirSync(work);
  try {
    compileCli(work);
    // 1. COPY-only.
    const context = join(work, 'context');
    const bytes = generateTree(context, scale);
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY . /data/\n');
    execFileSync('sync');
    const mb = (bytes / 1e6).toFixed(0);
    const oursCopy = best(runs, (i) => {
      const store = join(work, `store-${i}`);
      removeAll(store);
      const m = ours(store, context);
      if (i < runs - 1) removeAll(store);
      return m;
    });
    const buildahCopy = best(runs, (i) => {
      const root = join(work, `buildah-${i}`);
      removeAll(root);
      const m = buildah(root, context, 'bench-copy');
      removeAll(root);
      return m;
    });
    // 3. No-change rebuild, same store as the last COPY run.
    const store = join(work, `store-${runs - 1}`);
    const rebuild = best(3, () => ours(store, context));
    const { buildDockerfile } = await import('../src/build/dockerfile-build.js');
    const { OciLayout } = await import('../src/store/layout.js');
    const layout = await OciLayout.open(store);
    let inProcess = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await buildDockerfile({ context, store: layout, sourceDateEpoch: 0 });
      inProcess = Math.min(inProcess, (performance.now() - started) / 1000);
    }
    removeAll(store);

    // 2. RUN over busybox.
    const runContext = join(work, 'run-context');
    mkdirSync(runContext);
    writeFileSync(
      join(runContext, 'Dockerfile'),
      [
        'FROM busybox:local',
        'RUN mkdir -p /srv/data && for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i" > /srv/data/f$i; done',
        'RUN echo "app:x:1000:1000::/home/app:/bin/sh" >> /etc/passwd && mkdir -p /home/app && chown 1000:1000 /home/app',
        'RUN rm -f /srv/data/f1 && echo changed > /srv/data/f2',
        'RUN cp /bin/busybox /srv/busybox-copy',
        'CMD ["sh"]',
      ].join('\n') + '\n',
    );
    const { createBusyboxImage } = await import('../src/build/executor/busybox-image.js');
    const layoutDir = join(work, 'busybox-layout');
    await createBusyboxImage(await OciLayout.open(layoutDir, { create: true }));
    const oursRun = best(runs, (i) => {
      const runStore = join(work, `run-store-${i}`);
      removeAll(runStore);
      execFileSync('cp', ['-a', layoutDir, runStore]);
      const m = ours(runStore, runContext);
      removeAll(runStore);
      return m;
    });
    const buildahRun = best(runs, (i) => {
      const root = join(work, `buildah-run-${i}`);
      removeAll(root);
      const base = ['--root', join(root, 'root'), '--runroot', join(root, 'run'), '--storage-driver', 'vfs'];
      execFileSync('buildah', [...base, 'pull', '--quiet', `oci:${layoutDir}:docker.io/library/busybox:local`], { stdio: 'ignore' });
      execFileSync('buildah', [...base, 'tag', execFileSync('buildah', [...base, 'images', '-q'], { encoding: 'utf8' }).trim().split('\n')[0]!, 'busybox:local'], { stdio: 'ignore' });
      const m = buildah(root, runContext, 'bench-run', ['--isolation', 'chroot']);
      removeAll(root);
      return m;
    });

    const row = (name: string, m: Measure, peer?: Measure) =>
      `${name.padEnd(44)} ${m.wall.toFixed(2).padStart(7)} s ${m.rssMiB.toFixed(0).padStart(6)} MiB${peer ? `   ${(m.wall / peer.wall).toFixed(2)}x buildah` : ''}`;
    console.log(`COPY-only build of ${mb} MB (${Math.round(20_000 * scale)} files + 4 binaries), best of ${runs}:`);
    console.log(row('  oci-kit build (gzip layers)', oursCopy, buildahCopy));
    console.log(row('  buildah bud --storage-driver vfs', buildahCopy));
    console.log(`RUN build over busybox (4 RUN steps), best of ${runs}:`);
    console.log(row('  oci-kit build (bwrap sandbox)', oursRun, buildahRun));
    console.log(row('  buildah bud --isolation chroot (vfs)', buildahRun));
    console.log('No-change rebuild of the COPY build (best of 3):');
    console.log(row(`  oci-kit build process (${cliKind} CLI, incl. Node start)`, rebuild));
    console.log(`  buildDockerfile() in-process                 ${inProcess.toFixed(3).padStart(7)} s   goal < 0.5 s`);
  } finally {
    removeAll(work);
  }
}
