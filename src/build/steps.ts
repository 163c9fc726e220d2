/**
 * The steps shared by the fluent {@link ImageBuilder} and the Dockerfile engine: COPY, ADD (local
 * archives and URLs), RUN, WORKDIR's mkdir, and the content hashing that keys their cache entries.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createWriteStream, openSync, readSync, closeSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatPlatform, hostPlatform } from '../image/platform.js';
import type { Platform } from '../image/types.js';
import type { LayerEntry } from '../layer/entry.js';
import { stepKey, type BuildCache, type FileDigestCache } from './cache.js';
import { FileDigestCache as FileDigests } from './cache.js';
import { BuildContext, type ContextEntry } from './context.js';
import { IgnoreMatcher } from './dockerignore.js';
import { archiveEntries } from './add-archive.js';
import { addMissingParents, planCopy, resolveDestination, type CopySource } from './copy.js';
import { BuildError } from './errors.js';
import { ownerNeedsLookup, resolveOwner } from './passwd.js';
import type { Stage } from './stage.js';
import type { RunMount } from './executor/types.js';

/** Options of a COPY/ADD, after variable expansion. */
export interface CopyStepOptions {
  sources: string[];
  dest: string;
  chown?: string | undefined;
  chmod?: string | undefined;
  exclude?: string[] | undefined;
  parents?: boolean | undefined;
  /** ADD only: extract local archives (default true for ADD). */
  extractArchives?: boolean | undefined;
  /** ADD only: expected digest of a URL source. */
  checksum?: string | undefined;
}

/** Parses `--chmod` (octal; BuildKit also takes symbolic modes, oci-kit only octal). */
export function parseChmod(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[0-7]{3,4}$/.test(value)) {
    throw new BuildError('ERR_INVALID_CHMOD', `invalid --chmod value "${value}"`, { hint: 'give octal permission bits, e.g. --chmod=0755' });
  }
  return Number.parseInt(value, 8);
}

/** One read buffer for every file hashed: allocating one per file costs more than the hashing. */
let readBuffer: Buffer | undefined;

/** sha256 hex of a file, from the stat-keyed table when the file is unchanged. */
export function fileDigest(entry: ContextEntry, table: FileDigestCache): string {
  const signature = FileDigests.signature(entry.abs, entry.stats);
  const known = table.get(signature);
  if (known) return known;
  const hash = createHash('sha256');
  const fd = openSync(entry.abs, 'r');
  try {
    const buffer = (readBuffer ??= Buffer.allocUnsafe(1 << 20));
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  const digest = hash.digest('hex');
  table.set(signature, digest);
  return digest;
}

/**
 * The content hash of COPY sources: every path (relative to its source), type, permission bits,
 * link target and file content digest. Owners and mtimes of the context are left out, as in
 * BuildKit, so a `touch` does not invalidate the cache.
 */
export function hashSources(sources: CopySource[], table: FileDigestCache): string {
  const hash = createHash('sha256');
  for (const source of sources) {
    hash.update(`source\0${source.pattern}\0${source.parentsPath ?? ''}\0`);
    for (const item of source.contents ?? [{ ...source.entry, sub: '' }]) {
      const perm = (item.stats.mode & 0o7777).toString(8);
      hash.update(`${item.sub}\0${item.type}\0${perm}\0${item.linkname ?? ''}\0`);
      if (item.type === 'file') hash.update(fileDigest(item, table));
      hash.update('\n');
    }
  }
  return hash.digest('hex');
}

/**
 * The cache key of a source set's stat signatures: for each source its pattern and location, then
 * per entry the path, type, mode, link target, size, mtime, ctime, inode and device. Numbers go in
 * as raw doubles and everything is fed in 64 KB batches: formatting numbers as text and one hash
 * update per entry cost more than the hashing.
 */
class SignatureHasher {
  private readonly hash = createHash('sha256');
  private readonly buffer = Buffer.allocUnsafe(1 << 16);
  private used = 0;

  source(pattern: string, parentsPath: string | undefined, abs: string): void {
    this.text(`source\0${pattern}\0${parentsPath ?? ''}\0${abs}\0`);
  }

  entry(sub: string, type: string, st: EntryStats, linkname: string | undefined): void {
    this.text(linkname === undefined ? `${sub}\0${type}\0` : `${sub}\0${type}\0${linkname}\0`);
    if (this.used + 48 > this.buffer.length) this.drain();
    const b = this.buffer;
    let at = this.used;
    at = b.writeDoubleLE(st.mode, at);
    at = b.writeDoubleLE(st.size, at);
    at = b.writeDoubleLE(st.mtimeMs, at);
    at = b.writeDoubleLE(st.ctimeMs, at);
    at = b.writeDoubleLE(st.ino, at);
    this.used = b.writeDoubleLE(st.dev, at);
  }

  key(): string {
    this.drain();
    return `sources-${this.hash.digest('hex')}`;
  }

  private text(value: string): void {
    // A UTF-8 byte is at most 3 per UTF-16 unit.
    if (this.used + value.length * 3 > this.buffer.length) {
      this.drain();
      if (value.length * 3 > this.buffer.length) {
        this.hash.update(value);
        return;
      }
    }
    this.used += this.buffer.write(value, this.used, 'utf8');
  }

  private drain(): void {
    this.hash.update(this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

type EntryStats = Pick<ContextEntry['stats'], 'mode' | 'size' | 'mtimeMs' | 'ctimeMs' | 'ino' | 'dev'>;

/**
 * The content hash of sources, answered from the cache when every entry's stat signature is as it
 * was (a source-set record keyed by the signatures), else computed with {@link hashSources} and
 * recorded. Content changes always move mtime or ctime, so equal signatures mean equal content.
 */
export async function contentHash(sources: CopySource[], cache: BuildCache): Promise<string> {
  const signatures = new SignatureHasher();
  for (const source of sources) {
    signatures.source(source.pattern, source.parentsPath, source.entry.abs);
    for (const item of source.contents ?? [{ ...source.entry, sub: '' }]) signatures.entry(item.sub, item.type, item.stats, item.linkname);
  }
  const key = signatures.key();
  const known = await cache.get(key);
  if (known?.contentHash) return known.contentHash;
  const hash = hashSources(sources, cache.files);
  await cache.set(key, { contentHash: hash });
  return hash;
}

/**
 * The content hash {@link contentHash} recorded for these sources when their stat signatures are
 * unchanged, else undefined. Walks the context without keeping its entries, so the no-change
 * rebuild of a large context costs one lstat per entry and little else.
 */
export async function knownContentHash(
  context: BuildContext,
  patterns: string[],
  options: Pick<CopyStepOptions, 'exclude' | 'parents'>,
  cache: BuildCache,
): Promise<string | undefined> {
  const signatures = new SignatureHasher();
  for (const { pattern, entry, parentsPath, exclude } of sourceRoots(context, patterns, options)) {
    signatures.source(pattern, parentsPath, entry.abs);
    signatures.entry('', entry.type, entry.stats, entry.linkname);
    context.forEachBelow(entry, exclude, (_rel, sub, _abs, type, stats, linkname) => signatures.entry(sub, type, stats, linkname));
  }
  return (await cache.get(signatures.key()))?.contentHash;
}

/** The sources patterns name, before directories are walked. */
function* sourceRoots(
  context: BuildContext,
  patterns: string[],
  options: Pick<CopyStepOptions, 'exclude' | 'parents'>,
): Generator<{ pattern: string; entry: ContextEntry; parentsPath?: string; exclude: IgnoreMatcher | undefined }> {
  const exclude = options.exclude?.length ? new IgnoreMatcher(options.exclude) : undefined;
  for (const pattern of patterns) {
    // `--parents` keeps the path below a `/./` pivot, or the whole cleaned source path.
    const pivot = pattern.indexOf('/./');
    for (const entry of context.resolve(pattern)) {
      if (entry.type !== 'directory' && exclude?.excludes(posix.basename(entry.rel))) continue;
      if (!options.parents) {
        yield { pattern, entry, exclude };
        continue;
      }
      let keep = entry.rel;
      if (pivot >= 0) {
        const before = context.relativeSource(pattern.slice(0, pivot));
        keep = before === '.' ? entry.rel : entry.rel.slice(before.length + 1);
      }
      yield { pattern, entry, parentsPath: keep === '.' ? '' : keep, exclude };
    }
  }
}

/** Resolves sources against a context (or a stage rootfs), walking directories. */
export function collectSources(context: BuildContext, patterns: string[], options: Pick<CopyStepOptions, 'exclude' | 'parents'>): CopySource[] {
  const out: CopySource[] = [];
  for (const { pattern, entry, parentsPath, exclude } of sourceRoots(context, patterns, options)) {
    const source: CopySource = { pattern, entry };
    if (entry.type === 'directory') source.contents = context.walk(entry, exclude);
    if (parentsPath !== undefined) source.parentsPath = parentsPath;
    out.push(source);
  }
  return out;
}

/** The owner a `--chown` names, resolved against the stage's /etc/passwd and /etc/group. */
export async function ownerFor(stage: Stage, chown: string | undefined): Promise<{ uid?: number; gid?: number }> {
  if (!chown) return {};
  if (!ownerNeedsLookup(chown)) return resolveOwner(chown, async () => undefined);
  return resolveOwner(chown, (path) => stage.readFile(path));
}

/** COPY (and ADD of local, non-archive files). */
export async function copyStep(
  stage: Stage,
  context: BuildContext,
  options: CopyStepOptions,
  createdBy: string,
  contextKey: string,
): Promise<boolean> {
  const chmod = parseChmod(options.chmod);
  // Sources of another stage's rootfs are keyed by that stage, so they are listed up front (a
  // missing one fails the step even on a cache hit); context sources are listed only when the
  // stat-signature record does not already answer their content hash.
  // The signature walk is skipped for a source list this store has never hashed (a first build):
  // its record cannot exist, and on a big context the walk costs as much as the rebuild.
  let sources = context.rootfs ? collectSources(context, options.sources, options) : undefined;
  const cache = stage.settings.cache;
  let inputs: string;
  if (context.rootfs) inputs = contextKey;
  else {
    const listed = `listed-${stepKey(context.root, ...options.sources, '\0', ...(options.exclude ?? []), options.parents ? 'parents' : '')}`;
    const seen = (await cache.get(listed)) !== undefined;
    const known = seen ? await knownContentHash(context, options.sources, options, cache) : undefined;
    inputs = known ?? (await contentHash((sources = collectSources(context, options.sources, options)), cache));
    if (!seen) await cache.set(listed, {});
  }
  return stage.entriesStep(createdBy, [inputs, options.dest, options.chown ?? '', options.chmod ?? '', stage.container.WorkingDir ?? ''], async () => {
    sources ??= collectSources(context, options.sources, options);
    const owner = await ownerFor(stage, options.chown);
    return planCopy(sources, {
      dest: options.dest,
      workdir: stage.container.WorkingDir ?? '/',
      uid: owner.uid,
      gid: owner.gid,
      chmod,
      epoch: stage.settings.epoch,
      now: stage.settings.now.getTime() / 1000,
      rootfs: stage.rootfsQuery(),
    });
  });
}

const ARCHIVE_MAGIC: [string, number, Buffer][] = [
  ['gzip', 0, Buffer.from([0x1f, 0x8b])],
  ['bzip2', 0, Buffer.from('BZh')],
  ['xz', 0, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ['zstd', 0, Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ['tar', 257, Buffer.from('ustar')],
];

/** The archive kind of a local file by its magic bytes, or undefined when it is not an archive. */
export function archiveKind(path: string): string | undefined {
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
  for (const [kind, offset, magic] of ARCHIVE_MAGIC) {
    if (n >= offset + magic.length && head.subarray(offset, offset + magic.length).equals(magic)) return kind;
  }
  return undefined;
}

/** True for `http://` and `https://` sources (ADD downloads them). */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Downloads a URL into a temporary file (streamed and hashed on the way), verifying `checksum` when given. */
export async function download(url: string, checksum: string | undefined, tmpRoot?: string, signal?: AbortSignal): Promise<{ dir: string; file: string; digest: string; mtime?: number }> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (err) {
    throw new BuildError('ERR_DOWNLOAD', `cannot download ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (!response.ok || !response.body) throw new BuildError('ERR_DOWNLOAD', `cannot download ${url}: HTTP ${response.status}`);
  const name = posix.basename(new URL(url).pathname) || 'index.html';
  const dir = await mkdtemp(join(tmpRoot ?? tmpdir(), 'oci-kit-url-'));
  const file = join(dir, name);
  const algorithm = checksum?.split(':')[0] ?? 'sha256';
  const hash = createHash(algorithm === 'sha384' || algorithm === 'sha512' ? algorithm : 'sha256');
  try {
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), hashing, createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new BuildError('ERR_DOWNLOAD', `cannot download ${url}: ${(err as Error).message}`, { cause: err });
  }
  const digest = `${algorithm === 'sha384' || algorithm === 'sha512' ? algorithm : 'sha256'}:${hash.digest('hex')}`;
  if (checksum && checksum !== digest) {
    await rm(dir, { recursive: true, force: true });
    throw new BuildError('ERR_CHECKSUM_MISMATCH', `checksum of ${url} is ${digest}, expected ${checksum}`);
  }
  const lastModified = response.headers.get('last-modified');
  const mtime = lastModified ? Math.floor(Date.parse(lastModified) / 1000) : undefined;
  return mtime !== undefined && Number.isFinite(mtime) ? { dir, file, digest, mtime } : { dir, file, digest };
}

/**
 * ADD: URLs are downloaded (mode 0600, to `dest/<name>` when dest is a directory), local tar
 * archives are extracted into dest (owners from the archive unless --chown), other sources are
 * copied like COPY.
 */
export async function addStep(stage: Stage, context: BuildContext, options: CopyStepOptions, createdBy: string, contextKey: string): Promise<boolean> {
  const urls = options.sources.filter(isUrl);
  const locals = options.sources.filter((s) => !isUrl(s));
  const settings = stage.settings;
  const temps: string[] = [];
  try {
    const sources: CopySource[] = [];
    const keyParts: string[] = [];
    for (const url of urls) {
      const got = await download(url, options.checksum, settings.tmpRoot, settings.signal);
      temps.push(got.dir);
      const tmpContext = new BuildContext(got.dir);
      const entry = tmpContext.entry(posix.basename(got.file))!;
      if (got.mtime !== undefined) entry.stats.mtimeMs = got.mtime * 1000;
      sources.push({ pattern: url, entry });
      keyParts.push(`url\0${url}\0${got.digest}`);
    }
    const archives: { pattern: string; dir: string }[] = [];
    const plain: string[] = [];
    for (const pattern of locals) {
      for (const entry of context.resolve(pattern)) {
        const kind = options.extractArchives !== false && entry.type === 'file' ? archiveKind(entry.abs) : undefined;
        if (kind) archives.push({ pattern: entry.rel, dir: '' });
        else plain.push(entry.rel === '.' ? '.' : entry.rel);
      }
    }
    sources.push(...collectSources(context, plain, options));
    keyParts.push(context.rootfs ? contextKey : await contentHash(sources.filter((s) => !isUrl(s.pattern)), settings.cache));
    for (const archive of archives) {
      const entry = context.entry(archive.pattern)!;
      keyParts.push(`archive-entries\0${archive.pattern}\0${fileDigest(entry, settings.cache.files)}`);
    }
    const chmod = parseChmod(options.chmod);
    return await stage.entriesStep(createdBy, [...keyParts, options.dest, options.chown ?? '', options.chmod ?? '', stage.container.WorkingDir ?? ''], async () => {
      const owner = await ownerFor(stage, options.chown);
      const common = {
        workdir: stage.container.WorkingDir ?? '/',
        uid: owner.uid,
        gid: owner.gid,
        chmod,
        epoch: settings.epoch,
        now: settings.now.getTime() / 1000,
        rootfs: stage.rootfsQuery(),
      };
      const entries = new Map<string, LayerEntry>();
      if (sources.length > 0) {
        for (const e of await planCopy(sources, { ...common, dest: urls.length + sources.length > 1 && !options.dest.endsWith('/') ? `${options.dest}/` : options.dest })) entries.set(e.path, e);
      }
      if (archives.length > 0) {
        // Archive members become entries straight from the tar stream (add-archive.ts): modes,
        // owners, devices and links are kept exactly; nothing is extracted to the host.
        const destDir = await common.rootfs.resolveParents(resolveDestination(options.dest, common.workdir).path);
        for (const archive of archives) {
          const entry = context.entry(archive.pattern)!;
          const read = await archiveEntries(entry.abs, archiveKind(entry.abs)!, archive.pattern, {
            dest: destDir,
            uid: owner.uid,
            gid: owner.gid,
            chmod,
            epoch: settings.epoch,
            tmpRoot: settings.tmpRoot ?? tmpdir(),
          });
          if (read.spillDir) temps.push(read.spillDir);
          for (const e of read.entries) {
            entries.delete(e.path);
            entries.set(e.path, e);
          }
        }
        await addMissingParents(entries, common, owner.uid ?? 0, owner.gid ?? 0);
      }
      return [...entries.values()];
    });
  } finally {
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  }
}

/** Whether binaries of `platform` can run here: the host's architecture, or a registered binfmt_misc emulator. */
export function canRunPlatform(platform: Platform): boolean {
  if (platform.os !== 'linux') return false;
  const host = hostPlatform().architecture;
  if (platform.architecture === host) return true;
  if (host === 'amd64' && platform.architecture === '386') return true;
  const qemu: Record<string, string> = { arm64: 'aarch64', arm: 'arm', amd64: 'x86_64', '386': 'i386', ppc64le: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const name = qemu[platform.architecture];
  return name !== undefined && existsSync(`/proc/sys/fs/binfmt_misc/qemu-${name}`);
}

/** Options of a RUN. */
export interface RunStepOptions {
  args: string[];
  env: string[];
  network?: 'host' | 'none' | undefined;
  /** Extra parts of the cache key (build args in the environment). */
  keyParts?: string[];
  /** Where output goes besides the `output` event. */
  onOutput?: ((chunk: Buffer) => void) | undefined;
  /** Extra mounts (RUN --mount, heredoc scripts); their contents never become part of the layer. */
  mounts?: RunMount[] | undefined;
  /** Called on a cache miss just before the command runs (materialises bind-mount views lazily). */
  beforeRun?: (() => Promise<void>) | undefined;
}

/** RUN: executes the command over the stage's rootfs; a non-zero exit fails the step. */
export async function runStep(stage: Stage, options: RunStepOptions, createdBy: string): Promise<boolean> {
  const settings = stage.settings;
  const network = options.network ?? settings.network;
  return stage.rootfsStep(createdBy, [JSON.stringify(options.args), ...options.env, network, ...(options.keyParts ?? [])], async (rootfs) => {
    if (!canRunPlatform(settings.platform)) {
      const p = settings.platform;
      throw new BuildError(
        'ERR_FOREIGN_PLATFORM',
        `cannot RUN for ${formatPlatform(p)} on a ${formatPlatform(hostPlatform())} host`,
        { hint: 'oci-kit runs RUN natively; register a qemu-user-static binfmt_misc emulator for that architecture, or build that platform on a matching host' },
      );
    }
    await options.beforeRun?.();
    const output = new PassThrough();
    output.on('data', (chunk: Buffer) => options.onOutput?.(chunk));
    const container = stage.container;
    const result = await settings.executor().run({
      rootfs,
      args: options.args,
      env: options.env,
      cwd: container.WorkingDir || '/',
      user: container.User || undefined,
      network,
      stdout: output,
      stderr: output,
      signal: settings.signal,
      mounts: options.mounts,
    });
    output.end();
    if (result.exitCode !== 0) {
      throw new BuildError('ERR_RUN_FAILED', `process "${options.args.join(' ')}" did not complete successfully: exit code: ${result.exitCode}`);
    }
  });
}

/**
 * WORKDIR: sets the working directory and creates it when missing (owned by the current USER, as
 * BuildKit does). An existing directory gives no layer. The existence check happens only on a cache
 * miss, so a cached rebuild never materialises the rootfs for it.
 */
export async function workdirStep(stage: Stage, dir: string, createdBy: string): Promise<boolean> {
  const target = posix.resolve('/', stage.container.WorkingDir || '/', dir);
  stage.container.WorkingDir = target;
  return stage.entriesStep(createdBy, [target, stage.container.User ?? ''], async () => {
    const query = stage.rootfsQuery();
    if ((await query.typeOf(target)) === 'dir') return [];
    const owner = stage.container.User ? await ownerFor(stage, stage.container.User).catch(() => ({})) : {};
    const resolved = await query.resolveParents(target);
    const mtime = stage.settings.epoch ?? Math.floor(stage.settings.now.getTime() / 1000);
    const own = owner as { uid?: number; gid?: number };
    const entries = new Map<string, LayerEntry>();
    entries.set(resolved.slice(1), { path: resolved.slice(1), type: 'dir', mode: 0o755, uid: own.uid ?? 0, gid: own.gid ?? 0, mtime });
    await addMissingParents(entries, { epoch: stage.settings.epoch, now: stage.settings.now.getTime() / 1000, rootfs: query }, 0, 0);
    return [...entries.values()];
  });
}

