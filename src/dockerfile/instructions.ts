/**
 * Typed Dockerfile instructions: one interface per instruction, discriminated on `kind`, with
 * every flag BuildKit accepts parsed and validated (Dockerfile reference, one section per
 * instruction; BuildKit frontend/dockerfile/instructions). Values that the builder expands
 * (paths, ENV values, ARG defaults, flag values) are kept as written: quote removal and
 * variable substitution happen with {@link expandWord} against the build's variables.
 *
 * @module
 */
import { DockerfileParseError, type Range } from './errors.js';
import { parseGoDuration } from './duration.js';
import { MountSyntaxError, parseMount, type RunMount } from './mount.js';
import { fitted, parseHeredocWord, type Heredoc, type ParseNode, type RawFlag } from './tree.js';

/** Every instruction keyword. */
export const INSTRUCTION_KINDS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;

export type InstructionKind = (typeof INSTRUCTION_KINDS)[number];

/** A parsed `--name[=value]` flag. */
export interface Flag {
  name: string;
  /** Undefined for a bare boolean flag (`--link`). */
  value: string | undefined;
  range: Range;
}

/** What every instruction has. */
export interface InstructionBase {
  kind: InstructionKind;
  /** The keyword as written (`from`, `From`, `FROM`). */
  keyword: string;
  keywordRange: Range;
  /** From the keyword to the end of the last line (heredoc terminator included). */
  range: Range;
  flags: Flag[];
  /** Comment lines directly above it. */
  comments: string[];
  /** The exact source text (lines with endings, heredoc bodies): the printer writes it back. */
  raw: string;
  /** Exact source between the previous instruction and this one (comments, blank lines). */
  leading: string;
  /** The logical line (continuations joined). */
  original: string;
  /** The low-level node it came from. */
  node: ParseNode;
}

/** A key/value pair of ENV or LABEL; `value` still has its quotes (expand it). */
export interface KeyValue {
  key: string;
  value: string;
  /** False for the legacy `ENV KEY value` form. */
  equalsForm: boolean;
}

/** A command in exec form (`["a","b"]`) or shell form (one string run by the SHELL). */
export interface CommandLine {
  /** Exec form: the argv; shell form: one element, the script. */
  args: string[];
  /** True for the shell form (the SHELL prefix applies). */
  shellForm: boolean;
}

export interface FromInstruction extends InstructionBase {
  kind: 'FROM';
  /** The image reference or stage name, as written (may hold ARGs). */
  image: string;
  /** `AS name`, as written. */
  stageName?: string;
  /** `--platform`, as written. */
  platform?: string;
}

export interface RunInstruction extends InstructionBase, CommandLine {
  kind: 'RUN';
  mounts: RunMount[];
  network?: 'default' | 'none' | 'host';
  security?: 'sandbox' | 'insecure';
  heredocs: Heredoc[];
}

export interface CmdInstruction extends InstructionBase, CommandLine {
  kind: 'CMD';
}

export interface EntrypointInstruction extends InstructionBase, CommandLine {
  kind: 'ENTRYPOINT';
}

export interface ShellInstruction extends InstructionBase {
  kind: 'SHELL';
  shell: string[];
}

/** Inline content of a COPY/ADD source written as a heredoc. */
export interface SourceContent {
  /** The heredoc name, used as the file name. */
  path: string;
  /** The body (leading tabs already removed for `<<-`). */
  data: string;
  /** Whether variables in it are expanded. */
  expand: boolean;
}

export interface CopyInstruction extends InstructionBase {
  kind: 'COPY';
  /** Source paths (heredoc sources are in `sourceContents`). */
  sources: string[];
  sourceContents: SourceContent[];
  destination: string;
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  parents: boolean;
  exclude: string[];
  heredocs: Heredoc[];
  /** Sources were given as a JSON array. */
  json: boolean;
}

export interface AddInstruction extends InstructionBase {
  kind: 'ADD';
  sources: string[];
  sourceContents: SourceContent[];
  destination: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  keepGitDir: boolean;
  checksum?: string;
  exclude: string[];
  unpack?: boolean;
  heredocs: Heredoc[];
  json: boolean;
}

export interface EnvInstruction extends InstructionBase {
  kind: 'ENV';
  pairs: KeyValue[];
}

export interface LabelInstruction extends InstructionBase {
  kind: 'LABEL';
  pairs: KeyValue[];
}

export interface ArgInstruction extends InstructionBase {
  kind: 'ARG';
  /** `ARG a b=1`: each name with its default (as written, still quoted) when given. */
  args: { name: string; defaultValue?: string }[];
}

/** One EXPOSE word; the numbers are set when it holds no variables. */
export interface PortSpec {
  raw: string;
  start?: number;
  end?: number;
  protocol?: 'tcp' | 'udp' | 'sctp';
  /** A host IP written in the spec (EXPOSE ignores it; the linter reports it). */
  hostIp?: string;
  /** A host port written in the spec (ignored likewise). */
  hostPort?: string;
}

export interface ExposeInstruction extends InstructionBase {
  kind: 'EXPOSE';
  ports: PortSpec[];
}

export interface VolumeInstruction extends InstructionBase {
  kind: 'VOLUME';
  paths: string[];
  json: boolean;
}

export interface WorkdirInstruction extends InstructionBase {
  kind: 'WORKDIR';
  path: string;
}

export interface UserInstruction extends InstructionBase {
  kind: 'USER';
  user: string;
}

export interface StopsignalInstruction extends InstructionBase {
  kind: 'STOPSIGNAL';
  signal: string;
}

export interface MaintainerInstruction extends InstructionBase {
  kind: 'MAINTAINER';
  maintainer: string;
}

export interface HealthcheckInstruction extends InstructionBase {
  kind: 'HEALTHCHECK';
  /** `HEALTHCHECK NONE`: disables the base image's check. */
  none: boolean;
  /** Docker's HealthConfig.Test: `['CMD', ...argv]`, `['CMD-SHELL', script]` or `['NONE']`. */
  test: string[];
  /** Durations in nanoseconds; undefined when not given. */
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}

export interface OnbuildInstruction extends InstructionBase {
  kind: 'ONBUILD';
  /** The trigger instruction, itself typed. */
  trigger: Instruction;
  /** The trigger's text as written after ONBUILD. */
  expression: string;
}

/** Any typed instruction. */
export type Instruction =
  | AddInstruction | ArgInstruction | CmdInstruction | CopyInstruction | EntrypointInstruction
  | EnvInstruction | ExposeInstruction | FromInstruction | HealthcheckInstruction | LabelInstruction
  | MaintainerInstruction | OnbuildInstruction | RunInstruction | ShellInstruction
  | StopsignalInstruction | UserInstruction | VolumeInstruction | WorkdirInstruction;

/** Keyword spellings (upper and lower case) to kinds; other casings go through toUpperCase. */
const KIND_BY_KEYWORD = new Map<string, InstructionKind>();
for (const kind of INSTRUCTION_KINDS) {
  KIND_BY_KEYWORD.set(kind, kind);
  KIND_BY_KEYWORD.set(kind.toLowerCase(), kind);
}

type FlagType = 'bool' | 'string' | 'strings';

/** The flags each instruction accepts (BuildKit instructions/parse.go). */
const FLAG_SPECS: Partial<Record<InstructionKind, Record<string, FlagType>>> = {
  FROM: { platform: 'string' },
  RUN: { mount: 'strings', network: 'string', security: 'string' },
  COPY: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'strings' },
  ADD: {
    chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', exclude: 'strings', unpack: 'bool',
  },
  HEALTHCHECK: { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
};

/** Parsed flag values of one instruction. */
interface FlagValues {
  bools: Record<string, boolean | undefined>;
  strings: Record<string, string | undefined>;
  lists: Record<string, string[] | undefined>;
}

const NO_STRINGS: string[] = Object.freeze([]) as unknown as string[];
const NO_FLAGS: Flag[] = Object.freeze([]) as unknown as Flag[];

/** Every flag name as a shared constant, so parsed flags keep no copy of their name. */
const FLAG_NAMES = new Map<string, string>();
for (const spec of Object.values(FLAG_SPECS)) for (const name of Object.keys(spec)) FLAG_NAMES.set(name, name);

/** The name of a `--name[=value]` word, as a shared constant when it is a known flag. */
function flagName(text: string): string {
  const eq = text.indexOf('=', 2);
  const written = eq < 0 ? text.slice(2) : text.slice(2, eq);
  return FLAG_NAMES.get(written) ?? written;
}

function flagValue(text: string): string | undefined {
  const eq = text.indexOf('=', 2);
  return eq < 0 ? undefined : text.slice(eq + 1);
}

/** The typed view of a node's flag words (made when an instruction's `flags` is first read). */
function typedFlags(words: RawFlag[]): Flag[] {
  if (words.length === 0) return NO_FLAGS;
  const out: Flag[] = new Array<Flag>(words.length);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    out[i] = new ParsedFlag(flagName(word.text), flagValue(word.text), word);
  }
  return out;
}

/**
 * A parsed flag that reads its range through to the parse tree's flag word, which makes it on
 * first use: most callers never look at flag positions, and every Range a large result keeps
 * costs GC time (bench/dockerfile.bench.ts).
 */
class ParsedFlag implements Flag {
  name: string;
  value: string | undefined;
  readonly #word: RawFlag;
  #range: Range | undefined;

  constructor(name: string, value: string | undefined, word: RawFlag) {
    this.name = name;
    this.value = value;
    this.#word = word;
  }

  get range(): Range {
    return this.#range ?? this.#word.range;
  }

  set range(value: Range) {
    this.#range = value;
  }

  toJSON(): Flag {
    return { name: this.name, value: this.value, range: this.range };
  }
}

const NO_FLAG_VALUES: FlagValues = Object.freeze({ bools: Object.freeze({}), strings: Object.freeze({}), lists: Object.freeze({}) });

/**
 * The shared part of every typed instruction. The source-related fields are read through to the
 * parse node instead of being copied, which keeps large files cheap to hold in memory; `raw`
 * and `leading` write through, so editing them changes what the printer writes.
 */
class TypedInstruction implements InstructionBase {
  kind: InstructionKind;
  node: ParseNode;
  // Made on first read from the node's flag words: validation needs no Flag objects, and most
  // callers read the typed fields (`from`, `mounts`, ...) instead.
  #flags: Flag[] | undefined;

  constructor(kind: InstructionKind, node: ParseNode) {
    this.kind = kind;
    this.node = node;
  }

  get flags(): Flag[] {
    return (this.#flags ??= typedFlags(this.node.flags));
  }

  set flags(value: Flag[]) {
    this.#flags = value;
  }

  get keyword(): string {
    return this.node.keyword;
  }

  get keywordRange(): Range {
    return this.node.keywordRange;
  }

  get range(): Range {
    return this.node.range;
  }

  get comments(): string[] {
    return this.node.comments;
  }

  get original(): string {
    return this.node.original;
  }

  get raw(): string {
    return this.node.raw;
  }

  set raw(value: string) {
    this.node.raw = value;
  }

  get leading(): string {
    return this.node.leading;
  }

  set leading(value: string) {
    this.node.leading = value;
  }

  /** A plain-object view with the read-through fields included (for JSON output). */
  toJSON(): Record<string, unknown> {
    const { node: _node, ...own } = this as unknown as Record<string, unknown>;
    return {
      keyword: this.keyword,
      keywordRange: this.keywordRange,
      range: this.range,
      comments: this.comments,
      flags: this.flags,
      ...own,
    };
  }
}

/** Converts the parse tree's nodes to typed instructions, validating them. */
export class InstructionBuilder {
  constructor(private readonly filename: string) {}

  private fail(reason: string, range: Range, hint?: string): never {
    throw new DockerfileParseError(reason, {
      line: range.start.line,
      column: range.start.column,
      filename: this.filename,
      ...(hint === undefined ? {} : { hint }),
    });
  }

  build(node: ParseNode, heredocs: Heredoc[] = node.heredocs, nested = false): Instruction {
    const kind = KIND_BY_KEYWORD.get(node.keyword) ?? KIND_BY_KEYWORD.get(node.keyword.toUpperCase());
    if (kind === undefined) {
      const suggestion = suggestKeyword(node.keyword);
      this.fail(
        `unknown instruction: ${node.keyword}`,
        node.keywordRange,
        suggestion ? `did you mean ${suggestion}?` : `valid instructions: ${INSTRUCTION_KINDS.join(', ')}`,
      );
    }
    const values = this.parseFlags(node, kind);
    const base: InstructionBase = new TypedInstruction(kind, node);
    const args = node.args;
    const need = this.need;
    switch (kind) {
      case 'FROM': {
        if (args.length !== 1 && !(args.length === 3 && args[1]!.toLowerCase() === 'as')) {
          this.fail('FROM requires either one or three arguments', node.range, 'write FROM image[:tag] [AS name]');
        }
        const out: FromInstruction = extend(base, { image: args[0]! });
        if (args.length === 3) {
          const name = args[2]!;
          if (!/^[a-z][a-z0-9._-]*$/.test(name.toLowerCase())) {
            this.fail(`invalid name for build stage: ${JSON.stringify(name)}, name can't start with a number or contain symbols`, node.range, 'use letters, digits, ".", "_" and "-", starting with a letter');
          }
          out.stageName = name;
        }
        const platform = values.strings['platform'];
        if (platform !== undefined) out.platform = platform;
        return out;
      }
      case 'RUN': {
        if (args.length === 0 && heredocs.length === 0) this.fail('RUN requires at least one argument', node.range, 'write RUN <command>');
        const out: RunInstruction = extend(base, {
          args,
          shellForm: !node.json,
          mounts: this.mounts(values.lists.mount, base, node),
          heredocs,
        });
        const network = values.strings['network'];
        if (network !== undefined) {
          if (network !== 'default' && network !== 'none' && network !== 'host') {
            this.fail(`unsupported network mode: ${network}`, flagRange(base.flags, 'network', node), 'use --network=default, none or host');
          }
          out.network = network;
        }
        const security = values.strings['security'];
        if (security !== undefined) {
          if (security !== 'sandbox' && security !== 'insecure') {
            this.fail(`unsupported security mode: ${security}`, flagRange(base.flags, 'security', node), 'use --security=sandbox or insecure');
          }
          out.security = security;
        }
        return out;
      }
      case 'CMD':
      case 'ENTRYPOINT':
        return extend(base, { args, shellForm: !node.json }) as CmdInstruction | EntrypointInstruction;
      case 'SHELL':
        if (!node.json) this.fail('SHELL requires the arguments to be in JSON form', node.range, 'write SHELL ["/bin/sh", "-c"]');
        need(node, kind, 1, false, 'write SHELL ["executable", "parameters"]');
        return extend(base, { shell: args });
      case 'COPY':
      case 'ADD': {
        if (args.length < 2) {
          this.fail(
            `${kind} requires at least two arguments, but only ${args.length === 0 ? 'none were' : 'one was'} provided. Destination could not be determined.`,
            node.range,
            `write ${kind} <src>... <dest>`,
          );
        }
        const destination = args[args.length - 1]!;
        if (destination.includes('<<') && parseHeredocWord(destination)) this.fail(`${kind} cannot accept a heredoc as a destination`, node.range, 'heredocs can only be sources');
        let byName: Map<string, Heredoc> | undefined;
        if (heredocs.length > 0) {
          byName = new Map<string, Heredoc>();
          for (const h of heredocs) byName.set(h.name, h);
        }
        // A heredoc marker holds `<<`; without one every source is a path: one exact-size copy.
        let plainSources = true;
        if (!node.json) for (let i = 0; i < args.length - 1; i++) if (args[i]!.includes('<<')) plainSources = false;
        const sources: string[] = plainSources ? args.slice(0, -1) : [];
        const sourceContents: SourceContent[] = [];
        if (!plainSources) for (const src of args.slice(0, -1)) {
          const marker = parseHeredocWord(src);
          if (marker) {
            const doc = byName?.get(marker.name);
            const content = doc?.content ?? '';
            sourceContents.push({ path: marker.name, data: marker.chomp ? chompHeredoc(content) : content, expand: marker.expand });
          } else {
            sources.push(src);
          }
        }
        const common: Omit<CopyInstruction, keyof InstructionBase | 'parents'> & { parents?: boolean; keepGitDir?: boolean } = {
          sources: plainSources ? sources : fitted(sources),
          sourceContents,
          destination,
          link: values.bools['link'] ?? false,
          exclude: values.lists['exclude'] === undefined ? NO_STRINGS : fitted(values.lists['exclude']),
          heredocs,
          json: node.json,
        };
        const chown = values.strings['chown'];
        const chmod = values.strings['chmod'];
        if (chmod !== undefined && !chmod.includes('$') && !/^[0-7]{1,4}$/.test(chmod) && !/^([ugoa]*[-+=][rwxXst]*,?)+$/.test(chmod)) {
          this.fail(`invalid --chmod=${chmod}: expected an octal mode like 0755 or a symbolic mode like u+x`, flagRange(base.flags, 'chmod', node));
        }
        if (kind === 'COPY') {
          common.parents = values.bools['parents'] ?? false;
          const out = extend<CopyInstruction>(base, common as Omit<CopyInstruction, keyof InstructionBase>);
          const from = values.strings['from'];
          if (from !== undefined) out.from = from;
          if (chown !== undefined) out.chown = chown;
          if (chmod !== undefined) out.chmod = chmod;
          return out;
        }
        common.keepGitDir = values.bools['keep-git-dir'] ?? false;
        const out = extend<AddInstruction>(base, common as unknown as Omit<AddInstruction, keyof InstructionBase>);
        if (chown !== undefined) out.chown = chown;
        if (chmod !== undefined) out.chmod = chmod;
        const checksum = values.strings['checksum'];
        if (checksum !== undefined) {
          if (!checksum.includes('$') && !/^sha(256|384|512):[0-9a-f]+$/.test(checksum)) {
            this.fail(`invalid --checksum=${checksum}: expected algorithm:hex, e.g. sha256:...`, flagRange(base.flags, 'checksum', node));
          }
          out.checksum = checksum;
        }
        const unpack = values.bools['unpack'];
        if (unpack !== undefined) out.unpack = unpack;
        return out;
      }
      case 'ENV':
      case 'LABEL': {
        if (args.length === 0) this.fail(`${kind} requires at least one argument`, node.range, `write ${kind} name=value`);
        const pairs: KeyValue[] = [];
        for (let i = 0; i + 2 < args.length; i += 3) {
          pairs.push({ key: args[i]!, value: args[i + 1] ?? '', equalsForm: args[i + 2] === '=' });
        }
        if (kind === 'ENV') {
          for (const pair of pairs) {
            if (pair.key === '') this.fail('ENV names can not be blank', node.range, 'write ENV NAME=value');
          }
        }
        return extend(base, { pairs: fitted(pairs) }) as EnvInstruction | LabelInstruction;
      }
      case 'ARG': {
        need(node, kind, 1, false, 'write ARG NAME[=default]');
        return extend<ArgInstruction>(base, { args: this.argPairs(node) });
      }
      case 'EXPOSE':
        need(node, kind, 1, false, 'write EXPOSE <port>[/<protocol>]');
        const ports: PortSpec[] = [];
        for (const word of args) ports.push(this.parsePort(word, node));
        return extend(base, { ports: fitted(ports) });
      case 'VOLUME': {
        need(node, kind, 1, false, 'write VOLUME /path');
        for (const path of args) {
          if (path.trim() === '') this.fail('VOLUME specified can not be an empty string', node.range);
        }
        return extend(base, { paths: args, json: node.json });
      }
      case 'WORKDIR':
        need(node, kind, 1, true, 'write WORKDIR /path');
        return extend(base, { path: args[0]! });
      case 'USER':
        need(node, kind, 1, true, 'write USER name[:group]');
        return extend(base, { user: args[0]! });
      case 'STOPSIGNAL':
        need(node, kind, 1, true, 'write STOPSIGNAL SIGTERM');
        return extend(base, { signal: args[0]! });
      case 'MAINTAINER':
        need(node, kind, 1, true, 'write MAINTAINER name (or better: LABEL org.opencontainers.image.authors=...)');
        return extend(base, { maintainer: args[0]! });
      case 'HEALTHCHECK':
        return this.healthcheck(base, node, values);
      case 'ONBUILD': {
        if (!node.trigger) this.fail('ONBUILD requires at least one argument', node.range, 'write ONBUILD <instruction>');
        const triggerKind = node.trigger.keyword.toUpperCase();
        if (triggerKind === 'ONBUILD') {
          this.fail('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed', node.trigger.keywordRange);
        }
        if (triggerKind === 'FROM' || triggerKind === 'MAINTAINER') {
          this.fail(`${triggerKind} isn't allowed as an ONBUILD trigger`, node.trigger.keywordRange);
        }
        if (nested) this.fail('ONBUILD cannot be nested', node.range);
        // Field by field: tree nodes make their ranges on demand, which a spread would not copy.
        const t = node.trigger;
        const triggerNode: ParseNode = {
          keyword: t.keyword, keywordRange: t.keywordRange, flags: t.flags, args: t.args, json: t.json, heredocs: t.heredocs,
          original: t.original, rest: t.rest, comments: t.comments, range: t.range, raw: t.original, leading: '',
        };
        if (t.trigger !== undefined) triggerNode.trigger = t.trigger;
        const trigger = this.build(triggerNode, heredocs, true);
        return extend(base, { trigger, expression: node.rest });
      }
    }
  }

  /** Checks the argument count (exactly or at least `count`). */
  private readonly need = (node: ParseNode, kind: InstructionKind, count: number, exact: boolean, what: string): void => {
    const n = node.args.length;
    if (exact ? n !== count : n < count) {
      this.fail(`${kind} requires ${exact ? 'exactly' : 'at least'} ${count === 1 ? 'one argument' : `${count} arguments`}`, node.range, what);
    }
  };

  /** Validates the flag words and collects their values (the Flag objects are made on demand). */
  private parseFlags(node: ParseNode, kind: InstructionKind): FlagValues {
    if (node.flags.length === 0) return NO_FLAG_VALUES;
    const spec = FLAG_SPECS[kind] ?? {};
    // Each flag name has one type, so one record can serve all three views.
    const record: Record<string, never> = {};
    const values: FlagValues = { bools: record, strings: record, lists: record };
    for (const token of node.flags) {
      const name = flagName(token.text);
      const value = flagValue(token.text);
      const type = spec[name];
      if (type === undefined) {
        const known = Object.keys(spec);
        const near = known.find((k) => editDistance(k, name) <= 2);
        this.fail(
          `unknown flag: --${name}`,
          token.range,
          near ? `did you mean --${near}?` : known.length ? `${kind} accepts ${known.map((k) => `--${k}`).join(', ')}` : `${kind} takes no flags`,
        );
      }
      if (type !== 'strings' && record[name] !== undefined) this.fail(`duplicate flag specified: --${name}`, token.range, 'give the flag once');
      if (type === 'bool') {
        if (value !== undefined && value === '') this.fail(`missing a value on flag: --${name}`, token.range, `write --${name} or --${name}=true`);
        const lower = (value ?? 'true').toLowerCase();
        if (lower !== 'true' && lower !== 'false') {
          this.fail(`expecting boolean value for flag ${name}, not: ${value}`, token.range, 'use true or false');
        }
        values.bools[name] = lower === 'true';
      } else {
        if (value === undefined) this.fail(`missing a value on flag: --${name}`, token.range, `write --${name}=<value>`);
        if (type === 'string') values.strings[name] = value;
        else (values.lists[name] ??= []).push(value);
      }
    }
    return values;
  }

  private readonly badPort = (word: string, node: ParseNode): never =>
    this.fail(`invalid port specification: ${JSON.stringify(word)}`, node.range, 'write EXPOSE 80, 80/udp or 8000-8010/tcp');

  /** `[ip:][hostPort:]port[-end][/proto]` (Docker's port spec; the host parts are only linted). */
  private argPairs(node: ParseNode): { name: string; defaultValue?: string }[] {
    const out: { name: string; defaultValue?: string }[] = [];
    for (const word of node.args) {
      const eq = word.indexOf('=');
      if (eq === 0) this.fail(`ARG names can not be blank: ${word}`, node.range, 'write ARG NAME[=default]');
      out.push(eq < 0 ? { name: word } : { name: word.slice(0, eq), defaultValue: word.slice(eq + 1) });
    }
    return fitted(out);
  }

  private mounts(list: string[] | undefined, base: InstructionBase, node: ParseNode): RunMount[] {
    const out: RunMount[] = [];
    if (!list) return out;
    for (const m of list) {
      try {
        out.push(parseMount(m));
      } catch (err) {
        if (err instanceof MountSyntaxError) this.fail(`invalid --mount=${m}: ${err.message}`, flagRange(base.flags, 'mount', node), 'see the Dockerfile reference, RUN --mount');
        throw err;
      }
    }
    return fitted(out);
  }

  private parsePort(word: string, node: ParseNode): PortSpec {
    if (word.includes('$')) return { raw: word };
    const bad = this.badPort;
    const slash = word.lastIndexOf('/');
    const proto = slash < 0 ? 'tcp' : protocolName(word.slice(slash + 1));
    const spec = slash < 0 ? word : word.slice(0, slash);
    let hostIp: string | undefined;
    let hostPort: string | undefined;
    let container = spec;
    // The usual `80` or `80-90` needs no splitting; host parts only appear with `:`.
    if (spec.includes(':')) {
      let rest = spec;
      const bracket = /^\[([^\]]*)\]:(.*)$/.exec(spec);
      if (bracket) {
        hostIp = bracket[1]!;
        rest = bracket[2]!;
      }
      const parts = rest.split(':');
      if (parts.length > 3 || (bracket && parts.length > 2)) bad(word, node);
      container = parts[parts.length - 1]!;
      hostPort = parts.length >= 2 ? parts[parts.length - 2]! : undefined;
      if (parts.length === 3) hostIp = parts[0]!;
    }
    const dash = container.indexOf('-');
    const start = digitsValue(container, 0, dash < 0 ? container.length : dash);
    const end = dash < 0 ? start : digitsValue(container, dash + 1, container.length);
    if (start < 0 || end < 0) bad(word, node);
    if (start > 65535 || end > 65535 || end < start) this.fail(`invalid port range: ${word}`, node.range, 'ports are 0-65535, ranges low-high');
    if (hostPort !== undefined && hostPort !== '' && !/^\d+(?:-\d+)?$/.test(hostPort)) bad(word, node);
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') this.fail(`invalid proto: ${word.slice(slash + 1)}`, node.range, 'use tcp, udp or sctp');
    const out: PortSpec = { raw: word, start, end, protocol: proto as 'tcp' | 'udp' | 'sctp' };
    if (hostIp !== undefined) out.hostIp = hostIp;
    if (hostPort !== undefined) out.hostPort = hostPort;
    return out;
  }

  /** A HEALTHCHECK duration flag in nanoseconds (0, or at least 1ms, like Docker requires). */
  private duration(flag: string, values: FlagValues, base: InstructionBase, node: ParseNode): number | undefined {
    const text = values.strings[flag];
    if (text === undefined || text === '') return undefined;
    const ns = parseGoDuration(text);
    if (ns === undefined) this.fail(`invalid duration for --${flag}: ${JSON.stringify(text)}`, flagRange(base.flags, flag, node), 'write a Go duration like 30s, 1m30s or 500ms');
    if (ns < 0) this.fail(`Interval ${JSON.stringify(flag)} cannot be negative`, flagRange(base.flags, flag, node));
    if (ns !== 0 && ns < 1e6) this.fail(`Interval ${JSON.stringify(flag)} cannot be less than 1ms`, flagRange(base.flags, flag, node));
    return ns;
  }

  private healthcheck(base: InstructionBase, node: ParseNode, values: FlagValues): HealthcheckInstruction {
    const args = node.args;
    if (args.length === 0) this.fail('HEALTHCHECK requires at least one argument', node.range, 'write HEALTHCHECK CMD <command> or HEALTHCHECK NONE');
    const type = args[0]!.toUpperCase();
    if (type === 'NONE') {
      if (args.length !== 1) this.fail('HEALTHCHECK NONE takes no arguments', node.range);
      if (base.flags.length > 0) this.fail('HEALTHCHECK NONE takes no options', base.flags[0]!.range);
      return extend(base, { none: true, test: ['NONE'] });
    }
    if (type !== 'CMD') this.fail(`Unknown type ${JSON.stringify(args[0])} in HEALTHCHECK (try CMD)`, node.range, 'write HEALTHCHECK CMD <command>');
    const command = args.slice(1);
    if (command.length === 0) this.fail('Missing command after HEALTHCHECK CMD', node.range);
    const out: HealthcheckInstruction = extend(base, {
      none: false,
      test: node.json ? ['CMD', ...command] : ['CMD-SHELL', ...command],
    });
    const interval = this.duration('interval', values, base, node);
    const timeout = this.duration('timeout', values, base, node);
    const startPeriod = this.duration('start-period', values, base, node);
    const startInterval = this.duration('start-interval', values, base, node);
    if (interval !== undefined) out.interval = interval;
    if (timeout !== undefined) out.timeout = timeout;
    if (startPeriod !== undefined) out.startPeriod = startPeriod;
    if (startInterval !== undefined) out.startInterval = startInterval;
    const retries = values.strings['retries'];
    if (retries !== undefined && retries !== '') {
      if (!/^[+-]?\d+$/.test(retries) || Math.abs(Number(retries)) > 2147483647) {
        this.fail(`invalid --retries=${retries}: expected a whole number`, flagRange(base.flags, 'retries', node));
      }
      const n = Number(retries);
      if (n < 0) this.fail(`--retries cannot be negative (${n})`, flagRange(base.flags, 'retries', node));
      out.retries = n;
    }
    return out;
  }
}

/**
 * Adds the instruction's own fields to its freshly made base object. Extending in place is much
 * cheaper than an object spread per instruction on large files (measured in bench/dockerfile).
 */
function extend<T extends Instruction>(base: InstructionBase, fields: Omit<T, keyof InstructionBase>): T {
  return Object.assign(base, fields) as unknown as T;
}

/** The number written in `text[from, to)` when it is one or more ASCII digits, else -1. */
function digitsValue(text: string, from: number, to: number): number {
  if (to <= from) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** A protocol name lower-cased, as the shared constant when it is a valid one. */
function protocolName(written: string): string {
  const lower = written.toLowerCase();
  return lower === 'tcp' ? 'tcp' : lower === 'udp' ? 'udp' : lower === 'sctp' ? 'sctp' : lower;
}

function flagRange(flags: Flag[], name: string, node: ParseNode): Range {
  return flags.find((f) => f.name === name)?.range ?? node.range;
}

/** Removes leading tabs from every line of a `<<-` heredoc body. */
export function chompHeredoc(content: string): string {
  return content.replace(/^\t+/gm, '');
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function suggestKeyword(word: string): string | undefined {
  const upper = word.toUpperCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const kind of INSTRUCTION_KINDS) {
    const d = editDistance(upper, kind);
    if (d < bestDistance) {
      best = kind;
      bestDistance = d;
    }
  }
  return best;
}
