// Parses a generated 20,000-instruction Dockerfile with oci-kit (parse tree + typed, validated
// instructions) and with the `dockerfile-ast` package (the parser behind the Dockerfile language
// server) in the same run; prints median times, the ratio, and the heap each parse retains at
// 5k/10k/20k instructions (to show memory grows linearly).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DockerfileParser } from 'dockerfile-ast';
import { parseDockerfile, parseTree } from '../src/dockerfile/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A realistic mix: multi-stage, continuations, flags, JSON forms, ENV pairs, comments, heredocs. */
export function generateDockerfile(instructions: number): string {
  const lines: string[] = ['# syntax=docker/dockerfile:1', 'ARG BASE=debian:bookworm'];
  let count = 1;
  let stage = 0;
  while (count < instructions) {
    const k = count % 12;
    switch (k) {
      case 0:
        lines.push(`FROM --platform=$BUILDPLATFORM \${BASE} AS stage${stage++}`);
        break;
      case 1:
        lines.push('# install build dependencies', 'RUN --mount=type=cache,target=/var/cache/apt \\', '    apt-get update && \\', '    apt-get install -y --no-install-recommends curl ca-certificates git && \\', '    rm -rf /var/lib/apt/lists/*');
        break;
      case 2:
        lines.push(`ENV APP_HOME=/srv/app${count} PATH="/srv/bin:$PATH" LANG=C.UTF-8`);
        break;
      case 3:
        lines.push(`COPY --chown=1000:1000 --chmod=0644 src/ config/app${count}.yaml /srv/app/`);
        break;
      case 4:
        lines.push(`WORKDIR /srv/app${count}`);
        break;
      case 5:
        lines.push(`LABEL org.opencontainers.image.title="app ${count}" org.opencontainers.image.version="1.${count}"`);
        break;
      case 6:
        lines.push('EXPOSE 8080/tcp 9090/udp');
        break;
      case 7:
        lines.push('RUN <<EOF', 'set -eux', `echo building ${count}`, 'EOF');
        break;
      case 8:
        lines.push(`ARG VERSION_${count}=1.2.3`);
        break;
      case 9:
        lines.push('HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD curl -f http://localhost:8080/ || exit 1');
        break;
      case 10:
        lines.push(`COPY --from=stage${Math.max(stage - 1, 0)} /out/bin /usr/local/bin/`);
        break;
      case 11:
        lines.push('CMD ["/usr/local/bin/app", "--listen", ":8080"]', '');
        break;
    }
    count++;
  }
  return lines.join('\n') + '\n';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** CPU time (user + system) of this process in ms: on a shared, loaded machine it is far steadier than wall time. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Times `a` and `b` alternately (a, b, a, b, ...) after a full GC each, so load changes on a shared
 * machine hit both alike; returns median CPU times and the median of the per-pair ratios.
 */
function timePair(a: () => unknown, b: () => unknown, runs: number): { a: number; b: number; ratio: number } {
  a();
  b();
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    let start = cpuMs();
    a();
    const ta = cpuMs() - start;
    gc();
    start = cpuMs();
    b();
    const tb = cpuMs() - start;
    as.push(ta);
    bs.push(tb);
    ratios.push(tb / ta);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

function retained(fn: () => unknown): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = fn();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (keep === undefined) throw new Error('nothing parsed');
  return after - before;
}

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

export async function run(): Promise<void> {
  const text = generateDockerfile(20000);
  const runs = Number(process.env.BENCH_RUNS ?? 9);
  const ours = parseDockerfile(text);
  const theirs = DockerfileParser.parse(text);
  console.log(`input: ${ours.instructions.length} instructions, ${text.split('\n').length} lines, ${mib(text.length)}`);
  console.log(`dockerfile-ast sees ${theirs.getInstructions().length} instructions`);

  const plain = timePair(() => parseDockerfile(text), () => DockerfileParser.parse(text), runs);
  // parseTree is the like-for-like comparison: a syntax tree with ranges, flags and arguments,
  // without the typed validation that parseDockerfile adds on top.
  const tree = timePair(() => parseTree(text), () => DockerfileParser.parse(text), runs);
  const full = timePair(
    () => parseDockerfile(text),
    () => {
      const df = DockerfileParser.parse(text);
      for (const i of df.getInstructions()) i.getArguments();
      return df;
    },
    runs,
  );
  console.log(`  (CPU time, median of ${runs} alternating runs, each after a full GC)`);
  console.log(`  oci-kit parseDockerfile (tree + typed)        ${plain.a.toFixed(1).padStart(8)} ms`);
  console.log(`  dockerfile-ast parse                           ${plain.b.toFixed(1).padStart(8)} ms   (${plain.ratio.toFixed(2)}x our time)`);
  console.log(`  dockerfile-ast parse + getArguments() each     ${full.b.toFixed(1).padStart(8)} ms   (${full.ratio.toFixed(2)}x our time)`);
  console.log(`  oci-kit parseTree (syntax tree only)           ${tree.a.toFixed(1).padStart(8)} ms   (dockerfile-ast parse ${tree.b.toFixed(1)} ms = ${tree.ratio.toFixed(2)}x)`);
  console.log(`  => vs dockerfile-ast parse: parseDockerfile ${plain.ratio.toFixed(2)}x faster, parseTree ${tree.ratio.toFixed(2)}x faster (target >= 3x)`);

  console.log('\n  retained heap after parsing (linear growth expected):');
  for (const n of [5000, 10000, 20000]) {
    const input = generateDockerfile(n);
    const o = retained(() => parseDockerfile(input));
    const t = retained(() => DockerfileParser.parse(input));
    console.log(`    ${String(n).padStart(6)} instructions: oci-kit ${mib(o).padStart(10)} (${Math.round(o / n)} B/instr)   dockerfile-ast ${mib(t).padStart(10)} (${Math.round(t / n)} B/instr)`);
  }
  console.log(`  peak RSS of this process: ${mib(process.resourceUsage().maxRSS * 1024)}`);
}
