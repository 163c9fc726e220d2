/**
 * `--change` instructions, as `docker import` and `docker commit` take them: one Dockerfile
 * instruction each (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL), parsed
 * with the Dockerfile parser and applied to an image's execution config (config.md `config`), with
 * variables expanded against the image's environment as a build would.
 *
 * @module
 */
import { posix } from 'node:path';
import { parseDockerfile, expandWord, type Instruction } from '../dockerfile/index.js';
import type { ContainerConfig } from '../image/types.js';
import { InvalidInputError } from '../errors.js';

/** Instructions `--change` accepts. */
export const CHANGE_INSTRUCTIONS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'USER', 'WORKDIR', 'VOLUME', 'STOPSIGNAL'] as const;

/** A copy of `config` with every change applied in order. Throws `ERR_INVALID_CHANGE` for anything else. */
export function applyChanges(config: ContainerConfig, changes: readonly string[]): ContainerConfig {
  let result: ContainerConfig = structuredClone(config);
  for (const change of changes) {
    let instructions: Instruction[];
    try {
      instructions = parseDockerfile(change).instructions;
    } catch (err) {
      throw invalidChange(change, (err as Error).message, err);
    }
    if (instructions.length !== 1) throw invalidChange(change, 'give exactly one instruction per --change');
    result = applyInstruction(result, instructions[0]!, change);
  }
  return result;
}

function invalidChange(change: string, why: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(`invalid --change ${JSON.stringify(change)}: ${why}`, {
    code: 'ERR_INVALID_CHANGE',
    hint: `--change takes one of ${CHANGE_INSTRUCTIONS.join(', ')}, e.g. --change 'ENV PATH=/bin'`,
    ...(cause === undefined ? {} : { cause }),
  });
}

function envMap(config: ContainerConfig): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of config.Env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return map;
}

function applyInstruction(config: ContainerConfig, instruction: Instruction, change: string): ContainerConfig {
  const env = envMap(config);
  const expand = (word: string): string => expandWord(word, env).value;
  switch (instruction.kind) {
    case 'CMD':
    case 'ENTRYPOINT': {
      // Shell form runs through the image's shell, as a build does (default /bin/sh -c).
      const argv = instruction.shellForm ? [...(config.Shell ?? ['/bin/sh', '-c']), instruction.args[0] ?? ''] : [...instruction.args];
      return instruction.kind === 'CMD' ? { ...config, Cmd: argv } : { ...config, Entrypoint: argv };
    }
    case 'ENV': {
      for (const pair of instruction.pairs) env.set(pair.key, expandWord(pair.value, env).value);
      return { ...config, Env: [...env].map(([k, v]) => `${k}=${v}`) };
    }
    case 'LABEL': {
      const labels = { ...(config.Labels ?? {}) };
      for (const pair of instruction.pairs) labels[expand(pair.key)] = expand(pair.value);
      return { ...config, Labels: labels };
    }
    case 'EXPOSE': {
      const ports = { ...(config.ExposedPorts ?? {}) };
      for (const spec of instruction.ports) {
        const word = expand(spec.raw);
        const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(word);
        if (!match) throw invalidChange(change, `${JSON.stringify(word)} is not a port (80, 80/udp, 8000-8010)`);
        const start = Number(match[1]);
        const end = match[2] ? Number(match[2]) : start;
        if (end < start || end > 65535) throw invalidChange(change, `bad port range ${word}`);
        for (let port = start; port <= end; port++) ports[`${port}/${(match[3] ?? 'tcp').toLowerCase()}`] = {};
      }
      return { ...config, ExposedPorts: ports };
    }
    case 'USER':
      return { ...config, User: expand(instruction.user) };
    case 'WORKDIR': {
      const path = expand(instruction.path);
      return { ...config, WorkingDir: posix.resolve(config.WorkingDir || '/', path) };
    }
    case 'VOLUME': {
      const volumes = { ...(config.Volumes ?? {}) };
      for (const path of instruction.paths) volumes[expand(path)] = {};
      return { ...config, Volumes: volumes };
    }
    case 'STOPSIGNAL':
      return { ...config, StopSignal: expand(instruction.signal) };
    default:
      throw invalidChange(change, `${instruction.kind} cannot be applied to an existing image`);
  }
}
