// Layer creation throughput: oci-kit's createLayer (gzip on both cores, zstd) against the GNU
// pipeline `tar -c | tee >(sha256sum) | gzip -6 | sha256sum`, `tar -c | zstd -3 -T1` and
// `umoci insert` (when installed), all in the same run on the same generated tree (about 300 MB:
// 20,000 small source-like files and a few large binaries) in /dev/shm. Each contender runs as its
// own process under /usr/bin/time, which reports wall time and peak RSS; ours is this file re-run
// with `--child`. RSS is measured again on a tree twice as large to show it does not grow with it.
//
// Run: npm run bench layer        (LAYER_BENCH_SCALE=0.1 for a quick smoke run)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

interface Measure {
  wall: number;
  /** user + system CPU seconds of the process and its children: less sensitive to a busy machine. */
  cpu: number;
  rssMiB: number;
}

/** Runs a command under /usr/bin/time -f and returns wall seconds and peak RSS. */
function timed(argv: string[], env: NodeJS.ProcessEnv = process.env): Measure {
  const r = spawnSync('/usr/bin/time', ['-f', '@@%e %M %U %S', ...argv], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@'));
  if (r.status !== 0 || !line) throw new Error(`bench: ${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [wall, rss, user, sys] = line.slice(2).split(' ').map(Number) as [number, number, number, number];
  return { wall, cpu: user + sys, rssMiB: rss / 1024 };
}

function bestOf(n: number, f: () => Measure): Measure {
  const runs = Array.from({ length: n }, f);
  return runs.reduce((a, b) => (b.wall < a.wall ? b : a));
}

/** Deterministic pseudo-random bytes (xorshift), so every run benches the same tree. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const WORDS = 'const let function return import export from if else for while async await class interface type extends new this null undefined true false string number boolean Promise Buffer value result error options path file layer digest store'.split(' ');

/** About `scale` x 300 MB: 20,000 source-like files in nested dirs and 4 large binaries. */
export function generateTree(root: string, scale: number, seed: number): number {
  const rnd = prng(seed);
  let bytes = 0;
  const files = Math.round(20_000 * scale);
  // A pool of source-like lines, recombined per file: realistic redundancy, quick to generate.
  const pool = Array.from({ length: 8192 }, () => {
    const n = 3 + (rnd() % 9);
    const words = Array.from({ length: n }, () => WORDS[rnd() % WORDS.length]);
    return Buffer.from(`${'  '.repeat(rnd() % 4)}${words.join(' ')} ${rnd().toString(36)};\n`);
  });
  for (let i = 0; i < files; i++) {
    const dir = join(root, `pkg${i % 97}`, `mod${(i >> 3) % 23}`, `lib${i % 7}`);
    if (i < 97 * 23 * 7 || !existsSync(dir)) mkdirSync(dir, { recursive: true });
    const target = 500 + (rnd() % 17_000);
    const parts: Buffer[] = [];
    let size = 0;
    while (size < target) {
      const line = pool[rnd() % pool.length] as Buffer;
      parts.push(line);
      size += line.length;
    }
    writeFileSync(join(dir, `file${i}.ts`), Buffer.concat(parts, size));
    bytes += size;
  }
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  const binSize = Math.round(30 * 1024 * 1024 * scale);
  for (let b = 0; b < 4; b++) {
    // Half random, half structured: compresses about like a real executable.
    const buf = Buffer.alloc(binSize);
    for (let off = 0; off + 4 <= binSize; off += 4) {
      const v = rnd();
      buf.writeUInt32LE((off >> 12) % 2 === 0 ? v : v & 0x0f0f00ff, off);
    }
    writeFileSync(join(bin, `binary${b}`), buf);
    bytes += binSize;
  }
  return bytes;
}

function layoutFor(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function child(compression: string, tree: string, out: string): Promise<void> {
  const { OciLayout } = await import('../src/store/layout.js');
  const { createLayer } = await import('../src/layer/create.js');
  const store = await OciLayout.open(out, { create: true });
  const started = performance.now();
  const r = await createLayer({ dir: tree }, { store, compression: compression as 'gzip' | 'zstd' | 'none' });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`${JSON.stringify({ ms, digest: r.descriptor.digest, size: r.descriptor.size, diffId: r.diffId, uncompressed: r.uncompressedSize })}\n`);
}

export async function run(): Promise<void> {
  const scale = Number(process.env.LAYER_BENCH_SCALE ?? '1');
  const base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'oci-kit-layer-bench-'));
  try {
    const tree = join(base, 'tree');
    const t0 = Date.now();
    const bytes = generateTree(tree, scale, 42);
    console.log(`tree: ${(bytes / 1e6).toFixed(0)} MB, ${Math.round(20_000 * scale)} small files + 4 binaries (generated in ${((Date.now() - t0) / 1000).toFixed(1)} s, in ${base})`);
    // The child runs as plain JavaScript, bundled by esbuild (already installed for tsx), the way a
    // user runs the published package: no TypeScript loader in the measured time or memory.
    const bundle = join(base, 'layer-bench.mjs');
    const esbuild = await import('esbuild');
    await esbuild.build({ entryPoints: [SELF], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'error' });
    const node = [process.execPath, bundle, '--child'];
    const ours = (compression: string, dir: string): Measure => {
      const out = join(base, `out-${compression}-${Math.random().toString(36).slice(2)}`);
      const m = timed([...node, compression, dir, layoutFor(out)]);
      rmSync(out, { recursive: true, force: true });
      return m;
    };
    const sh = (script: string): Measure => timed(['bash', '-c', script]);
    const gnuGzip = (): Measure => sh(`tar -C '${tree}' -cf - . | tee >(sha256sum > /dev/null) | gzip -n -6 | tee '${base}/gnu.tgz' | sha256sum > /dev/null`);
    const gnuZstd = (): Measure => sh(`tar -C '${tree}' -cf - . | zstd -q -3 -T1 -c > '${base}/gnu.tzst'`);

    const rows: [string, Measure, Measure | undefined][] = [];
    const gz = bestOf(2, gnuGzip);
    const oursGz = bestOf(2, () => ours('gzip', tree));
    rows.push(['gzip: GNU tar|tee sha256|gzip -6|sha256', gz, undefined], ['gzip: oci-kit createLayer', oursGz, gz]);
    const zs = bestOf(2, gnuZstd);
    const oursZs = bestOf(2, () => ours('zstd', tree));
    const none = ours('none', tree);
    rows.push(['zstd: GNU tar | zstd -3 -T1', zs, undefined], ['zstd: oci-kit createLayer', oursZs, zs]);
    rows.push(['none: oci-kit createLayer (tar + sha256 + write)', none, undefined]);
    if (spawnSync('sh', ['-c', 'command -v umoci']).status === 0) {
      const layout = join(base, 'umoci');
      execFileSync('umoci', ['init', '--layout', layout]);
      execFileSync('umoci', ['new', '--image', `${layout}:base`]);
      const um = timed(['umoci', 'insert', '--rootless', '--image', `${layout}:base`, tree, '/']);
      rows.push(['gzip: umoci insert', um, gz]);
      rows.push(['gzip: oci-kit vs umoci insert', oursGz, um]);
    } else {
      console.log('umoci not installed: skipping that comparison');
    }
    console.log('');
    console.log(`${'contender'.padEnd(44)} ${'wall s'.padStart(7)} ${'cpu s'.padStart(7)} ${'peak RSS'.padStart(10)} ${'wall ratio'.padStart(11)} ${'cpu ratio'.padStart(10)}`);
    for (const [name, m, vs] of rows) {
      const ratio = (a: number, b: number | undefined): string => (b ? `${(a / b).toFixed(2)}x` : '');
      console.log(
        `${name.padEnd(44)} ${m.wall.toFixed(2).padStart(7)} ${m.cpu.toFixed(2).padStart(7)} ${`${m.rssMiB.toFixed(0)} MiB`.padStart(10)} ${ratio(m.wall, vs?.wall).padStart(11)} ${ratio(m.cpu, vs?.cpu).padStart(10)}`,
      );
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`(load average during the run: ${load} on ${availableParallelism()} cores; wall ratios assume idle cores)`);
    // Doubling the tree must not double memory.
    const doubled = join(base, 'doubled');
    mkdirSync(doubled);
    execFileSync('cp', ['-r', tree, join(doubled, 'a')]);
    execFileSync('cp', ['-r', tree, join(doubled, 'b')]);
    const big = ours('gzip', doubled);
    console.log(`\npeak RSS, oci-kit gzip: ${oursGz.rssMiB.toFixed(0)} MiB for the tree, ${big.rssMiB.toFixed(0)} MiB for twice the tree (wall ${big.wall.toFixed(2)} s)`);
    console.log(`targets: gzip <= 0.5x GNU pipeline (got ${(oursGz.wall / gz.wall).toFixed(2)}x), zstd <= 1.0x (got ${(oursZs.wall / zs.wall).toFixed(2)}x), RSS < 150 MiB (got ${Math.max(oursGz.rssMiB, oursZs.rssMiB, big.rssMiB).toFixed(0)} MiB)`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] === SELF && process.argv[2] === '--child') {
  const [compression, tree, out] = process.argv.slice(3) as [string, string, string];
  await child(compression, tree, out);
}
