// `npm run bench archive`: saves and loads a ~1 GB image (random, incompressible layers) with
// oci-kit and with skopeo in the same run, each in its own child process, printing wall time and
// peak RSS (GNU time's %M). Memory must stay flat: peak RSS far below the image size.
// Size: OCI_KIT_BENCH_ARCHIVE_MB (default 1024), split into 4 layers.
import { execFile, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pack as tarPack } from 'tar-stream';
import { loadArchive } from '../src/archive/load.js';
import { saveArchive } from '../src/archive/save.js';
import { createConfig, saveImage } from '../src/image/index.js';
import { OCI } from '../src/image/media-types.js';
import type { Descriptor } from '../src/image/types.js';
import { OciLayout } from '../src/store/layout.js';

const run = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const TAG = 'docker.io/library/bench:1';

/** A tar holding one file of `size` random bytes, streamed in 1 MiB chunks. */
async function* randomLayerTar(size: number, seed: number): AsyncGenerator<Buffer> {
  const pack = tarPack();
  const chunk = Buffer.alloc(1 << 20);
  const writing = (async () => {
    const sink = pack.entry({ name: `data-${seed}.bin`, size, mtime: new Date(0) });
    for (let done = 0; done < size; done += chunk.byteLength) {
      randomFillSync(chunk);
      const part = chunk.subarray(0, Math.min(chunk.byteLength, size - done));
      if (!sink.write(Buffer.from(part))) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
    }
    (sink as unknown as { end(): void }).end();
    pack.finalize();
  })();
  for await (const c of pack as unknown as AsyncIterable<Buffer>) yield c;
  await writing;
}

export async function makeImage(dir: string, totalMb: number): Promise<void> {
  const store = await OciLayout.open(dir, { create: true });
  const layers: Descriptor[] = [];
  const perLayer = Math.floor((totalMb * 1024 * 1024) / 4);
  for (let i = 0; i < 4; i++) {
    const info = await store.put(randomLayerTar(perLayer, i));
    layers.push({ mediaType: OCI.layer, digest: info.digest, size: info.size });
  }
  const config = createConfig({ platform: 'linux/amd64', created: null, diffIds: layers.map((l) => l.digest) });
  const image = await saveImage(store, { config, layers });
  await store.setTag(TAG, image.descriptor);
}

interface Measurement {
  seconds: number;
  rssMb: number;
  /** For oci-kit children: the operation alone, without process and TypeScript-loader startup. */
  opSeconds?: number;
}

/** Runs a command under GNU time; returns wall seconds and peak RSS in MiB. */
async function measured(command: string, args: string[]): Promise<Measurement> {
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'TIME %e %M', command, ...args], { maxBuffer: 16 << 20 });
  const match = /TIME ([\d.]+) (\d+)\s*$/.exec(stderr);
  if (!match) throw new Error(`could not read GNU time output: ${stderr}`);
  const op = /^OP ([\d.]+)$/m.exec(stdout);
  return { seconds: Number(match[1]), rssMb: Number(match[2]) / 1024, ...(op ? { opSeconds: Number(op[1]) } : {}) };
}

function ours(...args: string[]): Promise<Measurement> {
  return measured(process.execPath, ['--import', 'tsx', SELF, '--child', ...args]);
}

/** Child mode: one save or load, nothing else. */
async function child(args: string[]): Promise<void> {
  const [action, storeDir, file] = args as [string, string, string];
  const started = performance.now();
  if (action === 'save') {
    const store = await OciLayout.open(storeDir);
    await saveArchive(store, [TAG], file);
  } else if (action === 'save-null') {
    // The tar writer's own cost: every blob read, verified and packed, nothing written to disk.
    const store = await OciLayout.open(storeDir);
    await saveArchive(store, [TAG], new Writable({ write: (_chunk, _encoding, done) => done() }));
  } else {
    const store = await OciLayout.open(storeDir, { create: true });
    await loadArchive(createReadStream(file, { highWaterMark: 1 << 20 }), store);
  }
  console.log(`OP ${((performance.now() - started) / 1000).toFixed(2)}`);
}

export async function run_(): Promise<void> {
  const totalMb = Number(process.env.OCI_KIT_BENCH_ARCHIVE_MB ?? 1024);
  const skopeo = spawnSync('sh', ['-c', 'command -v skopeo']).stdout.toString().trim();
  if (!existsSync('/usr/bin/time')) throw new Error('bench/archive needs GNU time at /usr/bin/time (apt-get install time)');
  const dir = await mkdtemp(join(tmpdir(), 'oci-kit-bench-archive-'));
  try {
    const source = join(dir, 'source');
    console.log(`generating a ${totalMb} MB image (4 random layers)...`);
    await makeImage(source, totalMb);
    const rows: string[][] = [];
    const row = (what: string, tool: string, r: Measurement, bytes: number) =>
      rows.push([what, tool, `${r.seconds.toFixed(2)} s`, r.opSeconds === undefined ? '-' : `${r.opSeconds.toFixed(2)} s`, `${(bytes / 1e6 / (r.opSeconds ?? r.seconds)).toFixed(0)} MB/s`, `${r.rssMb.toFixed(0)} MiB`]);
    // Same starting point for every tool: the image's blobs in the page cache.
    await run('sh', ['-c', `cat ${join(source, 'blobs', 'sha256')}/* > /dev/null`]);
    const startup = await measured(process.execPath, ['--import', 'tsx', '-e', '0']);
    console.log(`(node + tsx startup alone: ${startup.seconds.toFixed(2)} s, ${startup.rssMb.toFixed(0)} MiB; "op" is the operation timed inside the process)`);

    const blobBytes = Number((await run('du', ['-sb', join(source, 'blobs')])).stdout.split('\t')[0]);
    row('pack to a null sink', 'oci-kit (tar-stream pack)', await ours('save-null', source, ''), blobBytes);
    row('pack to a null sink', 'GNU tar -cf - blobs | cat', await measured('sh', ['-c', `tar -C ${source} -cf - blobs | cat > /dev/null`]), blobBytes);

    const oursTar = join(dir, 'ours.tar');
    const saved = await ours('save', source, oursTar);
    row('save (docker archive)', 'oci-kit', saved, (await stat(oursTar)).size);
    if (skopeo) {
      const theirsTar = join(dir, 'skopeo.tar');
      const r = await measured(skopeo, ['--insecure-policy', 'copy', '-q', `oci:${source}:${TAG}`, `docker-archive:${theirsTar}:bench:1`]);
      row('save (docker archive)', 'skopeo copy oci: docker-archive:', r, (await stat(theirsTar)).size);
      await rm(theirsTar);
    }
    const loaded = await ours('load', join(dir, 'loaded'), oursTar);
    row('load (docker archive)', 'oci-kit', loaded, (await stat(oursTar)).size);
    if (skopeo) {
      const r = await measured(skopeo, ['--insecure-policy', 'copy', '-q', `docker-archive:${oursTar}`, `oci:${join(dir, 'skopeo-loaded')}:bench`]);
      row('load (docker archive)', 'skopeo copy docker-archive: oci:', r, (await stat(oursTar)).size);
    }
    const header = ['operation', 'tool', 'wall', 'op', 'throughput', 'peak RSS'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const line of [header, ...rows]) console.log(line.map((c, i) => c.padEnd(widths[i]!)).join('  '));
    if (!skopeo) console.log('skopeo is not installed: no peer measured (apt-get install skopeo)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export { run_ as run };

if (process.argv[2] === '--child') await child(process.argv.slice(3));
