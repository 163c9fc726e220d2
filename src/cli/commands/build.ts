/**
 * `oci-kit build`: builds a Dockerfile into the store, like `docker build`. Progress goes to stderr
 * in BuildKit's style (`#3 [builder 3/7] RUN make`, `#3 CACHED`, `#3 DONE 1.2s`, RUN output
 * prefixed with the step number): plain lines when stderr is not a terminal, a live timer on the
 * running step when it is. `-q` prints only the image digest on stdout. Tags are set only when the
 * whole build succeeded.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildDockerfile } from '../../build/dockerfile-build.js';
import { createBuildEmitter, type BuildEmitter, type StepInfo } from '../../build/events.js';
import { OciLayout } from '../../store/layout.js';
import { listOption, stringOption, UsageError, type Command, type CommandContext } from '../command.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses `type=oci|docker,dest=PATH`. */
export function parseOutput(value: string): { type: 'oci' | 'docker'; dest: string } {
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new UsageError(`--output: expected key=value, got "${part}"`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const type = fields.get('type') ?? 'oci';
  const dest = fields.get('dest');
  if (type !== 'oci' && type !== 'docker') throw new UsageError(`--output type must be oci or docker, not "${type}"`);
  if (!dest) throw new UsageError('--output needs dest=PATH');
  return { type, dest };
}

type Stream = CommandContext['stderr'];

function header(s: StepInfo): string {
  const where = [s.platform, s.stage].filter(Boolean).map((p) => `${p} `).join('');
  return `#${s.index} [${where}${s.index}/${s.total}] ${s.instruction.split('\n')[0]!.replace(/\s+/g, ' ')}`;
}

function outputLines(s: StepInfo & { chunk: Buffer }, started: number): string {
  const elapsed = ((performance.now() - started) / 1000).toFixed(3);
  return s.chunk
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `#${s.index} ${elapsed} ${line}\n`)
    .join('');
}

/** Plain lines, as BuildKit's `--progress=plain`: for logs and pipes. */
function renderPlain(events: BuildEmitter, out: Stream, started: number): () => void {
  events.on('step', (s) => out.write(`${header(s)}\n`));
  events.on('step-done', (s) => out.write(s.cached ? `#${s.index} CACHED\n` : `#${s.index} DONE ${(s.durationMs / 1000).toFixed(1)}s\n`));
  events.on('output', (s) => out.write(outputLines(s, started)));
  events.on('pull', (p) => out.write(`pulled ${p.reference} (${p.digest})\n`));
  return () => undefined;
}

/**
 * On a terminal: the running step's line shows a live timer and is finished in place with its
 * result (`CACHED`, `DONE 1.2s`). RUN output, pulls and concurrent steps of parallel stages end the
 * live line and continue as plain lines.
 */
function renderTty(events: BuildEmitter, out: Stream, started: number): () => void {
  let live: { info: StepInfo; since: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (live) out.write(`\r\x1b[K${header(live.info)} \x1b[2m${((performance.now() - live.since) / 1000).toFixed(1)}s\x1b[0m`);
  };
  const settle = () => {
    if (live) out.write('\n');
    live = undefined;
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  events.on('step', (s) => {
    settle();
    live = { info: s, since: performance.now() };
    draw();
    timer = setInterval(draw, 100);
    timer.unref();
  });
  events.on('step-done', (s) => {
    const result = s.cached ? '\x1b[36mCACHED\x1b[0m' : `DONE ${(s.durationMs / 1000).toFixed(1)}s`;
    if (live && live.info.index === s.index) {
      out.write(`\r\x1b[K${header(s)} ${result}\n`);
      live = undefined;
      if (timer) clearInterval(timer);
      timer = undefined;
    } else {
      settle();
      out.write(`#${s.index} ${result}\n`);
    }
  });
  events.on('output', (s) => {
    settle();
    out.write(outputLines(s, started));
  });
  events.on('pull', (p) => {
    settle();
    out.write(`pulled ${p.reference} (${p.digest})\n`);
  });
  // A failed step never reports done: the live line is ended before the error is printed.
  return settle;
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'Build an image from a Dockerfile',
  usage:
    'build [-f FILE|-] [-t REF]... [--build-arg K[=V]]... [--target STAGE] [--platform P[,P]] [--no-cache] [--network MODE] [-q] [--output type=oci|docker,dest=PATH] CONTEXT',
  description:
    'CONTEXT is a directory; "-" reads the Dockerfile from stdin and builds with an empty context.\n' +
    'RUN needs bubblewrap (or unprivileged user namespaces); FROM images come from the store, else the registry.',
  options: {
    file: { type: 'string', short: 'f' },
    tag: { type: 'string', short: 't', multiple: true },
    'build-arg': { type: 'string', multiple: true },
    target: { type: 'string' },
    platform: { type: 'string' },
    'no-cache': { type: 'boolean' },
    network: { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  optionHelp: {
    file: 'Dockerfile path (default CONTEXT/Dockerfile; "-" reads stdin)',
    tag: 'name the result, e.g. hello:latest',
    'build-arg': 'set a build argument; K alone takes $K from the environment',
    target: 'build this stage (default: the last)',
    platform: 'target platform(s), comma separated, e.g. linux/amd64,linux/arm64',
    'no-cache': 'do not use the build cache',
    network: 'network for RUN: default/host or none',
    output: 'also write the image as an archive: type=oci|docker,dest=PATH',
  },
  async run(ctx: CommandContext) {
    if (ctx.args.length !== 1) throw new UsageError(ctx.args.length === 0 ? 'build needs a CONTEXT (a directory, or "-")' : 'build takes exactly one CONTEXT');
    const contextArg = ctx.args[0]!;
    const file = stringOption(ctx.options, 'file');
    const networkOption = stringOption(ctx.options, 'network') ?? 'default';
    if (!['default', 'host', 'none'].includes(networkOption)) throw new UsageError(`--network must be default, host or none, not "${networkOption}"`);
    const outputOption = stringOption(ctx.options, 'output');
    const output = outputOption ? parseOutput(outputOption) : undefined;
    const platformOption = stringOption(ctx.options, 'platform');
    const platforms = platformOption ? platformOption.split(',').map((p) => p.trim()).filter(Boolean) : undefined;
    let dockerfileText: string | undefined;
    let context = contextArg;
    let emptyContext: string | undefined;
    if (contextArg === '-') {
      if (file !== undefined && file !== '-') throw new UsageError('with CONTEXT "-" the Dockerfile comes from stdin; drop -f');
      dockerfileText = await readAll(ctx.stdin);
      emptyContext = await mkdtemp(join(tmpdir(), 'oci-kit-empty-context-'));
      context = emptyContext;
    } else if (file === '-') {
      dockerfileText = await readAll(ctx.stdin);
    }
    const store = await OciLayout.open(ctx.storePath, { create: true });
    const events = createBuildEmitter();
    const err = ctx.stderr;
    const started = performance.now();
    const closeProgress = ctx.quiet ? () => undefined : (err.isTTY ? renderTty : renderPlain)(events, err, started);
    events.on('warning', (w) => err.write(`WARNING: ${w}\n`));
    try {
      const options: Parameters<typeof buildDockerfile>[0] = {
        context: resolve(context),
        store,
        events,
        buildArgs: listOption(ctx.options, 'build-arg'),
        env: ctx.env,
        network: networkOption === 'none' ? 'none' : 'host',
        tags: listOption(ctx.options, 'tag'),
        signal: ctx.signal,
      };
      if (ctx.options['no-cache'] === true) options.cache = false;
      if (dockerfileText !== undefined) options.dockerfileText = dockerfileText;
      else if (file !== undefined) options.dockerfile = resolve(file);
      const target = stringOption(ctx.options, 'target');
      if (target !== undefined) options.target = target;
      if (platforms) options.platforms = platforms;
      const image = await buildDockerfile(options);
      if (output) await image.save(resolve(output.dest), { format: output.type, ...(listOption(ctx.options, 'tag')[0] ? { reference: listOption(ctx.options, 'tag')[0]! } : {}) });
      if (ctx.quiet) ctx.stdout.write(`${image.digest}\n`);
      else {
        err.write(`writing image ${image.digest} done\n`);
        for (const tag of listOption(ctx.options, 'tag')) err.write(`naming to ${tag} done\n`);
        if (output) err.write(`exported ${output.type} archive to ${output.dest}\n`);
      }
      return 0;
    } finally {
      closeProgress();
      if (emptyContext) await rm(emptyContext, { recursive: true, force: true });
    }
  },
};
