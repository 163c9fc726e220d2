/**
 * The Dockerfile linter: the `docker build --check` rules that need neither the build context nor
 * the base image (Docker docs, "Build checks": https://docs.docker.com/reference/build-checks/),
 * honouring the `# check=skip=<rules>|all;error=true` directive.
 *
 * @module
 */
import type { Range } from './errors.js';
import { editDistance, type ArgInstruction, type Instruction } from './instructions.js';
import { parseDockerfile, type Dockerfile } from './parse.js';
import { expandWord, type ShellEnv } from './shell-lexer.js';

/** One lint result. */
export interface LintFinding {
  /** The check's name, e.g. `StageNameCasing`. */
  rule: string;
  level: 'warning' | 'error';
  range: Range;
  message: string;
  /** Documentation of the rule. */
  url?: string;
}

/** Options of {@link lint}; the file's `# check=` directive adds to them. */
export interface LintOptions {
  /** Rules to skip, or `['all']`. */
  skip?: string[];
  /** Report every finding as an error (like `# check=error=true`). */
  error?: boolean;
  /** File name used when `lint` is given text. */
  filename?: string;
  /**
   * Variables the base images are assumed to define (their ENV is unknown without pulling them);
   * default: PATH, HOME, HOSTNAME, TERM.
   */
  baseImageEnv?: string[];
}

/** Every rule this linter implements, with its one-line description. */
export const LINT_RULES: Readonly<Record<string, string>> = {
  StageNameCasing: 'Stage names should be lowercase',
  FromAsCasing: 'The AS keyword should match the case of the FROM keyword',
  NoEmptyContinuation: 'Empty continuation lines will become errors in a future release',
  ConsistentInstructionCasing: 'All commands within the Dockerfile should use the same casing (either upper or lower)',
  DuplicateStageName: 'Stage names should be unique',
  ReservedStageName: 'Reserved words should not be used as stage names',
  JSONArgsRecommended: 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
  MaintainerDeprecated: 'The MAINTAINER instruction is deprecated, use a label instead to define an image author',
  UndefinedArgInFrom: 'FROM command must use declared ARGs',
  WorkdirRelativePath: 'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
  UndefinedVar: 'Variables should be defined before their use',
  MultipleInstructionsDisallowed: 'Multiple instructions of the same type should not be used in the same stage',
  LegacyKeyValueFormat: 'Legacy key/value format with whitespace separator should not be used',
  RedundantTargetPlatform: 'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
  SecretsUsedInArgOrEnv: 'Sensitive data should not be used in the ARG or ENV commands',
  InvalidDefaultArgInFrom: 'Default value for global ARG results in an empty or invalid base image name',
  FromPlatformFlagConstDisallowed: 'FROM --platform flag should not use a constant value',
  ExposeProtoCasing: 'Protocol in EXPOSE instruction should be lowercase',
  ExposeInvalidFormat: 'IP address and host-port mapping should not be used in EXPOSE instruction',
};

const PREDEFINED_ARGS = [
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
];
const PREDEFINED_VALUES: Record<string, string> = {
  TARGETPLATFORM: 'linux/amd64', TARGETOS: 'linux', TARGETARCH: 'amd64', TARGETVARIANT: '',
  BUILDPLATFORM: 'linux/amd64', BUILDOS: 'linux', BUILDARCH: 'amd64', BUILDVARIANT: '',
};
const RESERVED_STAGE_NAMES = new Set(['scratch', 'context']);
const SECRET_NAME = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const SECRET_ALLOWED = /(?:_|^)(?:public)(?:_|$)/i;
const REFERENCE = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,})?$/;

function kebab(rule: string): string {
  return rule.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/** The documentation page of a rule. */
export function lintRuleUrl(rule: string): string {
  return `https://docs.docker.com/go/dockerfile/rule/${kebab(rule)}/`;
}

/** Parsed `# check=` directive. */
export interface CheckDirective {
  skip: string[];
  error: boolean;
}

/** Parses `skip=A,B;error=true` (keys case-insensitive, unknown keys ignored). */
export function parseCheckDirective(value: string): CheckDirective {
  const out: CheckDirective = { skip: [], error: false };
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    if (key === 'skip') out.skip.push(...v.split(',').map((s) => s.trim()).filter(Boolean));
    else if (key === 'error') out.error = v.toLowerCase() === 'true';
  }
  return out;
}

/** Lints a parsed Dockerfile (or Dockerfile text, which is parsed first and may throw DockerfileParseError). */
export function lint(input: Dockerfile | string, options: LintOptions = {}): LintFinding[] {
  const dockerfile = typeof input === 'string' ? parseDockerfile(input, options.filename === undefined ? {} : { filename: options.filename }) : input;
  const check = dockerfile.directives.find((d) => d.name === 'check');
  const fromFile = check ? parseCheckDirective(check.value) : { skip: [], error: false };
  const skip = new Set([...(options.skip ?? []), ...fromFile.skip].map((s) => s.toLowerCase()));
  const asError = options.error === true || fromFile.error;
  const findings: LintFinding[] = [];
  const report = (rule: string, range: Range, message: string): void => {
    if (skip.has('all') || skip.has(rule.toLowerCase())) return;
    findings.push({ rule, level: asError ? 'error' : 'warning', range, message, url: lintRuleUrl(rule) });
  };
  new Checker(dockerfile, report, options.baseImageEnv ?? ['PATH', 'HOME', 'HOSTNAME', 'TERM']).run();
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
  return findings;
}

type Report = (rule: string, range: Range, message: string) => void;

/** Variables visible in a stage: values when known, '' when declared without one. */
interface StageScope {
  name?: string;
  vars: Map<string, string>;
  env: Map<string, string>;
  /** An absolute WORKDIR was set in this stage. */
  absoluteWorkdir: boolean;
}

class Checker {
  private readonly globalArgs = new Map<string, string | undefined>();
  private readonly stageEnvs = new Map<string, Map<string, string>>();

  constructor(
    private readonly dockerfile: Dockerfile,
    private readonly report: Report,
    private readonly baseImageEnv: string[],
  ) {}

  run(): void {
    for (const warning of this.dockerfile.warnings) {
      if (warning.message.startsWith('Empty continuation line')) this.report('NoEmptyContinuation', warning.range, 'Empty continuation line');
    }
    this.casing();
    let scope: StageScope | undefined;
    let stageInstructions: Instruction[] = [];
    const stageNames = new Set<string>();
    const finishStage = (): void => {
      if (scope) this.perStage(stageInstructions);
      if (scope?.name !== undefined) this.stageEnvs.set(scope.name, scope.env);
    };
    for (const instruction of this.dockerfile.instructions) {
      if (instruction.kind === 'FROM') {
        finishStage();
        scope = this.from(instruction, stageNames);
        stageInstructions = [];
        continue;
      }
      if (!scope) {
        if (instruction.kind === 'ARG') this.globalArg(instruction);
        continue;
      }
      stageInstructions.push(instruction);
      this.inStage(instruction, scope);
    }
    finishStage();
  }

  private casing(): void {
    let upper = 0;
    let lower = 0;
    const all: Instruction[] = [];
    for (const i of this.dockerfile.instructions) {
      all.push(i);
      if (i.kind === 'ONBUILD') all.push(i.trigger);
    }
    for (const i of all) {
      if (i.keyword === i.keyword.toUpperCase()) upper++;
      else if (i.keyword === i.keyword.toLowerCase()) lower++;
    }
    const majority = lower > upper ? 'lowercase' : 'uppercase';
    for (const i of all) {
      const expected = majority === 'lowercase' ? i.keyword.toLowerCase() : i.keyword.toUpperCase();
      if (i.keyword !== expected) {
        this.report('ConsistentInstructionCasing', i.keywordRange, `Command '${i.keyword}' should match the case of the command majority (${majority})`);
      }
    }
  }

  private globalArg(arg: ArgInstruction): void {
    const lookup = this.globalLookup();
    for (const a of arg.args) {
      this.secrets('ARG', a.name, arg.range);
      let value: string | undefined;
      if (a.defaultValue !== undefined) value = this.expand(a.defaultValue, lookup, arg.range, new Set(PREDEFINED_ARGS));
      this.globalArgs.set(a.name, value);
    }
  }

  private globalLookup(): (name: string) => string | undefined {
    return (name) => {
      if (this.globalArgs.has(name)) return this.globalArgs.get(name) ?? '';
      if (name in PREDEFINED_VALUES) return PREDEFINED_VALUES[name];
      return undefined;
    };
  }

  private from(from: Extract<Instruction, { kind: 'FROM' }>, stageNames: Set<string>): StageScope {
    if (from.stageName !== undefined) {
      const name = from.stageName;
      const lower = name.toLowerCase();
      if (name !== lower) this.report('StageNameCasing', from.range, `Stage name '${name}' should be lowercase`);
      if (RESERVED_STAGE_NAMES.has(lower)) this.report('ReservedStageName', from.range, `'${lower}' is reserved and should not be used as a stage name`);
      if (stageNames.has(lower)) this.report('DuplicateStageName', from.range, `Duplicate stage name '${lower}', stage names should be unique`);
      stageNames.add(lower);
      const as = /\s(as)\s/i.exec(from.original)?.[1] ?? from.original.split(/\s+/).find((w) => w.toLowerCase() === 'as') ?? 'AS';
      const fromUpper = from.keyword === from.keyword.toUpperCase();
      const asUpper = as === as.toUpperCase();
      const fromLower = from.keyword === from.keyword.toLowerCase();
      const asLower = as === as.toLowerCase();
      if ((fromUpper && !asUpper) || (fromLower && !asLower)) {
        this.report('FromAsCasing', from.range, `'${as}' and '${from.keyword}' keywords' casing do not match`);
      }
    }
    // FROM sees the global ARGs (with their defaults) and the predefined platform ARGs.
    const declared = (name: string): boolean => this.globalArgs.has(name) || PREDEFINED_ARGS.includes(name);
    const undeclared = (text: string): string[] => {
      try {
        return expandWord(text, this.globalLookup(), { escape: this.dockerfile.escape }).unset.filter((n) => !declared(n));
      } catch {
        return [];
      }
    };
    for (const name of undeclared(from.image)) {
      this.report('UndefinedArgInFrom', from.range, `FROM argument '${name}' is not declared${this.suggest(name, [...this.globalArgs.keys(), ...PREDEFINED_ARGS])}`);
    }
    if (from.platform !== undefined) {
      for (const name of undeclared(from.platform)) {
        this.report('UndefinedArgInFrom', from.range, `FROM argument '${name}' is not declared${this.suggest(name, [...this.globalArgs.keys(), ...PREDEFINED_ARGS])}`);
      }
      const platformRange = from.flags.find((f) => f.name === 'platform')?.range ?? from.range;
      if (/^\$(\{TARGETPLATFORM\}|TARGETPLATFORM)$/.test(from.platform)) {
        this.report('RedundantTargetPlatform', platformRange, `Setting platform to predefined ${from.platform} in FROM is redundant as this is the default behavior`);
      } else if (!from.platform.includes('$')) {
        const parts = from.platform.toLowerCase().split('/');
        const stage = from.stageName?.toLowerCase() ?? '';
        const namedForPlatform = stage !== '' && parts.some((p) => p !== '' && stage.includes(p));
        if (!namedForPlatform) {
          this.report('FromPlatformFlagConstDisallowed', platformRange, `FROM --platform flag should not use constant value "${from.platform}"`);
        }
      }
    }
    if (from.image.includes('$')) {
      let expanded: string | undefined;
      try {
        expanded = expandWord(from.image, this.globalLookup(), { escape: this.dockerfile.escape }).value;
      } catch {
        expanded = undefined;
      }
      if (expanded !== undefined && (expanded === '' || (!REFERENCE.test(expanded) && !expanded.includes('$')))) {
        this.report('InvalidDefaultArgInFrom', from.range, `Default value for ARG ${from.image} results in empty or invalid base image name`);
      }
    }
    const baseStage = this.stageEnvs.get(from.image.toLowerCase());
    const env = new Map<string, string>();
    if (baseStage) for (const [k, v] of baseStage) env.set(k, v);
    else if (from.image.toLowerCase() !== 'scratch') for (const name of this.baseImageEnv) env.set(name, '');
    const scope: StageScope = { vars: new Map(), env, absoluteWorkdir: false };
    if (from.stageName !== undefined) scope.name = from.stageName.toLowerCase();
    return scope;
  }

  private suggest(name: string, candidates: Iterable<string>): string {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
      const d = c.toLowerCase() === name.toLowerCase() ? 0 : editDistance(c, name);
      if (d < bestDistance && d <= 2) {
        best = c;
        bestDistance = d;
      }
    }
    return best === undefined ? '' : ` (did you mean $${best}?)`;
  }

  /** Expands for checking; reports undefined names (unless in `ignore`) and returns the value. */
  private expand(text: string, lookup: ShellEnv, range: Range, ignore: ReadonlySet<string>, candidates: Iterable<string> = []): string | undefined {
    try {
      const result = expandWord(text, lookup, { escape: this.dockerfile.escape });
      for (const name of result.unset) {
        if (/^[0-9@*#?$!-]/.test(name) || ignore.has(name)) continue;
        this.report('UndefinedVar', range, `Usage of undefined variable '$${name}'${this.suggest(name, candidates)}`);
      }
      return result.value;
    } catch {
      return undefined;
    }
  }

  private secrets(kind: 'ARG' | 'ENV', name: string, range: Range): void {
    if (SECRET_NAME.test(name) && !SECRET_ALLOWED.test(name)) {
      this.report('SecretsUsedInArgOrEnv', range, `Do not use ARG or ENV instructions for sensitive data (${kind} "${name}")`);
    }
  }

  private inStage(instruction: Instruction, scope: StageScope): void {
    const lookup = (name: string): string | undefined => scope.env.get(name) ?? scope.vars.get(name);
    const candidates = (): string[] => [...scope.env.keys(), ...scope.vars.keys()];
    const check = (text: string | undefined, range: Range = instruction.range): string | undefined =>
      text === undefined ? undefined : this.expand(text, lookup, range, new Set(), candidates());
    switch (instruction.kind) {
      case 'ARG':
        for (const a of instruction.args) {
          this.secrets('ARG', a.name, instruction.range);
          let value = '';
          if (a.defaultValue !== undefined) value = check(a.defaultValue) ?? '';
          else if (this.globalArgs.has(a.name)) value = this.globalArgs.get(a.name) ?? '';
          else if (a.name in PREDEFINED_VALUES) value = PREDEFINED_VALUES[a.name]!;
          scope.vars.set(a.name, value);
        }
        break;
      case 'ENV': {
        const values = instruction.pairs.map((p) => [p.key, check(p.value) ?? ''] as const);
        for (const [key, value] of values) scope.env.set(key, value);
        for (const pair of instruction.pairs) this.secrets('ENV', pair.key, instruction.range);
        if (instruction.pairs.some((p) => !p.equalsForm)) {
          this.report('LegacyKeyValueFormat', instruction.range, '"ENV key=value" should be used instead of legacy "ENV key value" format');
        }
        break;
      }
      case 'LABEL':
        for (const pair of instruction.pairs) {
          check(pair.key);
          check(pair.value);
        }
        if (instruction.pairs.some((p) => !p.equalsForm)) {
          this.report('LegacyKeyValueFormat', instruction.range, '"LABEL key=value" should be used instead of legacy "LABEL key value" format');
        }
        break;
      case 'COPY':
      case 'ADD': {
        for (const s of instruction.sources) check(s);
        check(instruction.destination);
        for (const f of instruction.flags) check(f.value, f.range);
        break;
      }
      case 'RUN':
        for (const f of instruction.flags) check(f.value, f.range);
        break;
      case 'EXPOSE':
        for (const port of instruction.ports) {
          const value = check(port.raw) ?? port.raw;
          const slash = value.indexOf('/');
          if (slash >= 0) {
            const proto = value.slice(slash + 1);
            if (proto !== proto.toLowerCase()) {
              this.report('ExposeProtoCasing', instruction.range, `Defined protocol '${port.raw}' in EXPOSE instruction should be lowercase`);
            }
          }
          if (value.includes(':')) {
            this.report('ExposeInvalidFormat', instruction.range, `EXPOSE instruction should not define an IP address or host-port mapping, found '${port.raw}'`);
          }
        }
        break;
      case 'WORKDIR': {
        const value = check(instruction.path) ?? instruction.path;
        const absolute = value.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(value) || value.startsWith('\\');
        if (!absolute && !scope.absoluteWorkdir && !value.includes('$')) {
          this.report('WorkdirRelativePath', instruction.range, `Relative workdir "${instruction.path}" can have unexpected results if the base image changes`);
        }
        if (absolute) scope.absoluteWorkdir = true;
        break;
      }
      case 'USER':
        check(instruction.user);
        break;
      case 'VOLUME':
        for (const p of instruction.paths) check(p);
        break;
      case 'STOPSIGNAL':
        check(instruction.signal);
        break;
      case 'MAINTAINER':
        this.report('MaintainerDeprecated', instruction.range, 'Maintainer instruction is deprecated in favor of using label');
        break;
      default:
        break;
    }
  }

  private perStage(instructions: Instruction[]): void {
    let shellSet = false;
    const seen: Record<string, Instruction[]> = { CMD: [], ENTRYPOINT: [], HEALTHCHECK: [] };
    for (const i of instructions) {
      if (i.kind === 'SHELL') shellSet = true;
      if ((i.kind === 'CMD' || i.kind === 'ENTRYPOINT') && i.shellForm && !shellSet) {
        this.report('JSONArgsRecommended', i.range, `JSON arguments recommended for ${i.kind} to prevent unintended behavior related to OS signals`);
      }
      seen[i.kind]?.push(i);
    }
    for (const [kind, list] of Object.entries(seen)) {
      for (const i of list.slice(0, -1)) {
        this.report('MultipleInstructionsDisallowed', i.range, `Multiple ${kind} instructions should not be used in the same stage because only the last one will be used`);
      }
    }
  }
}
