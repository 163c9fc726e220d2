/**
 * The build context: a directory on disk, minus what `.dockerignore` excludes. Resolves COPY/ADD
 * source patterns (Go `filepath.Match` wildcards per path segment, as BuildKit does), refuses
 * sources that leave the context, and walks directory sources into flat entry lists.
 *
 * Walking uses synchronous fs calls on purpose: one promise per file is the dominant cost of a tree
 * walk in Node (see perf notes: 1.08 s vs 0.175 s for 24,000 entries), and a build walks one source
 * at a time anyway.
 *
 * @module
 */
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { cleanPath, IgnoreMatcher } from './dockerignore.js';
import { ContextEscapeError, SourceNotFoundError } from './errors.js';
import { resolveInRootfs } from './executor/rootfs-path.js';

/** One file system object of the context. */
export interface ContextEntry {
  /** Path relative to the context root, `/`-separated (`.` for the root itself). */
  rel: string;
  /** Absolute path on disk. */
  abs: string;
  type: 'file' | 'directory' | 'symlink';
  stats: Stats;
  /** Target of a symlink, verbatim. */
  linkname?: string;
}

/** Receives one entry of a directory walk (see {@link BuildContext.forEachBelow}). */
export type EntryVisitor = (rel: string, sub: string, abs: string, type: ContextEntry['type'], stats: Stats, linkname: string | undefined) => void;

/** A directory source's entries, each with its path relative to the source root. */
export interface WalkedEntry extends ContextEntry {
  /** Path below the source root (`''` for the root itself). */
  sub: string;
}

/** True when a pattern uses wildcards. */
export function hasWildcards(pattern: string): boolean {
  return /[*?[]/.test(pattern.replace(/\\./g, ''));
}

/** Go's `filepath.Match` for one path segment, compiled to a RegExp. */
export function segmentMatcher(pattern: string): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1).replace(/\\/g, '\\\\')}`;
      else body = body.replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else source += escapeRegExp(ch);
  }
  return new RegExp(`${source}$`, 's');
}

function escapeRegExp(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

function typeOf(stats: Stats): ContextEntry['type'] | undefined {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  return undefined;
}

/** The build context directory with its ignore rules. */
export class BuildContext {
  readonly root: string;
  readonly ignore: IgnoreMatcher;
  private readonly realRoot: string;

  /**
   * @param rootfs true when `root` is an image's rootfs (COPY --from): symlinks then resolve inside
   *   it as if it were `/`, and there is nothing to ignore.
   */
  constructor(root: string, ignorePatterns: readonly string[] = [], readonly rootfs = false) {
    this.root = resolve(root);
    this.realRoot = realpathSync(this.root);
    this.ignore = new IgnoreMatcher(ignorePatterns);
  }

  /** Cleans a source path to be relative to the context root, refusing `..` escapes. */
  relativeSource(source: string): string {
    const clean = cleanPath(source.replace(/^\/+/, '') || '.');
    if (clean === '..' || clean.startsWith('../')) throw new ContextEscapeError(source);
    return clean;
  }

  /** An entry for a context path, or undefined when it does not exist or is ignored. */
  entry(rel: string): ContextEntry | undefined {
    if (rel !== '.' && this.ignore.excludes(rel)) return undefined;
    const abs = rel === '.' ? this.root : this.rootfs ? resolveInRootfs(this.root, rel, false) : join(this.root, ...rel.split('/'));
    let stats: Stats;
    try {
      stats = lstatSync(abs);
    } catch {
      return undefined;
    }
    const type = typeOf(stats);
    if (!type) return undefined;
    const entry: ContextEntry = { rel, abs, type, stats };
    if (type === 'symlink') entry.linkname = readlinkSync(abs);
    return entry;
  }

  /**
   * Resolves one COPY/ADD source to the context entries it names: a literal path, or a wildcard
   * pattern matched segment by segment. A top-level symlink is followed (as BuildKit's COPY does),
   * but only while it stays inside the context.
   */
  resolve(source: string): ContextEntry[] {
    const rel = this.relativeSource(source);
    let matches: ContextEntry[];
    if (!hasWildcards(rel)) {
      const entry = this.entry(rel);
      matches = entry ? [entry] : [];
    } else {
      matches = this.glob(rel);
    }
    if (matches.length === 0) throw new SourceNotFoundError(source);
    return matches.map((m) => this.follow(m, source));
  }

  private glob(pattern: string): ContextEntry[] {
    let current: string[] = ['.'];
    const segments = pattern.split('/');
    for (const segment of segments) {
      const next: string[] = [];
      const wild = hasWildcards(segment);
      const matcher = wild ? segmentMatcher(segment) : undefined;
      for (const dir of current) {
        if (!wild) {
          next.push(dir === '.' ? segment : `${dir}/${segment}`);
          continue;
        }
        let names: string[];
        try {
          names = readdirSync(dir === '.' ? this.root : this.rootfs ? resolveInRootfs(this.root, dir) : join(this.root, ...dir.split('/')));
        } catch {
          continue;
        }
        for (const name of names.sort()) if (matcher!.test(name)) next.push(dir === '.' ? name : `${dir}/${name}`);
      }
      current = next;
    }
    return current.map((rel) => this.entry(rel)).filter((e): e is ContextEntry => e !== undefined);
  }

  private follow(entry: ContextEntry, source: string): ContextEntry {
    if (entry.type !== 'symlink') {
      this.assertInside(entry.abs, source);
      return entry;
    }
    let real: string;
    try {
      real = this.rootfs ? resolveInRootfs(this.root, entry.rel) : realpathSync(entry.abs);
    } catch {
      throw new SourceNotFoundError(source);
    }
    this.assertInside(real, source);
    let stats: Stats;
    try {
      stats = statSync(real);
    } catch {
      throw new SourceNotFoundError(source);
    }
    const type = typeOf(stats);
    if (!type) throw new SourceNotFoundError(source);
    return { rel: entry.rel, abs: real, type, stats };
  }

  private assertInside(abs: string, source: string): void {
    if (this.rootfs) return;
    // A parent directory of the source may itself be a symlink that leads out of the context.
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      return;
    }
    if (real !== this.realRoot && !real.startsWith(this.realRoot + sep)) throw new ContextEscapeError(source);
  }

  /**
   * Every entry below a directory source (the root included as `sub: ''`), sorted, skipping what
   * `.dockerignore` excludes and what `exclude` (patterns relative to the source) excludes.
   */
  walk(root: ContextEntry, exclude?: IgnoreMatcher): WalkedEntry[] {
    const out: WalkedEntry[] = [{ ...root, sub: '' }];
    if (root.type !== 'directory') return out;
    this.forEachBelow(root, exclude, (rel, sub, abs, type, stats, linkname) => {
      const entry: WalkedEntry = { rel, abs, type, stats, sub };
      if (linkname !== undefined) entry.linkname = linkname;
      out.push(entry);
    });
    return out;
  }

  /**
   * The entries {@link walk} returns below `root` (the root itself excluded), handed to `visit` one
   * by one without collecting them: a rebuild that only needs their stat signatures then keeps
   * nothing alive, which saves the garbage collector most of its work on a large context.
   */
  forEachBelow(root: ContextEntry, exclude: IgnoreMatcher | undefined, visit: EntryVisitor): void {
    const recurse = (abs: string, rel: string, sub: string): void => {
      let names: string[];
      try {
        names = readdirSync(abs);
      } catch (err) {
        throw new SourceNotFoundError(`${rel} (${(err as Error).message})`);
      }
      names.sort();
      // Plain concatenation: path.join's normalization costs more than the lstat on a big tree.
      const prefix = abs.endsWith(sep) ? abs : abs + sep;
      for (const name of names) {
        const childRel = rel === '.' ? name : `${rel}/${name}`;
        const childSub = sub === '' ? name : `${sub}/${name}`;
        const childAbs = prefix + name;
        const ignored = this.ignore.excludes(childRel) || (exclude !== undefined && exclude.excludes(childSub));
        const stats = lstatSync(childAbs);
        const type = typeOf(stats);
        if (!type) continue;
        if (ignored) {
          if (type === 'directory' && (this.ignore.mayIncludeBelow(childRel) || (exclude?.mayIncludeBelow(childSub) ?? false))) {
            recurse(childAbs, childRel, childSub);
          }
          continue;
        }
        visit(childRel, childSub, childAbs, type, stats, type === 'symlink' ? readlinkSync(childAbs) : undefined);
        if (type === 'directory') recurse(childAbs, childRel, childSub);
      }
    };
    if (root.type === 'directory') recurse(root.abs, root.rel, '');
  }
}
