/**
 * ADD of a local tar archive (Dockerfile reference, "ADD": "a local tar archive in a recognized
 * compression format (identity, gzip, bzip2 or xz) is unpacked as a directory"): the archive's
 * members become layer entries rooted at the destination, read straight from the tar stream with
 * the layer module's reader, never extracted to the host. So permission bits (setuid, setgid,
 * sticky, 0666), owners, devices, fifos, hardlinks and symlinks survive exactly as the archive has
 * them, which a host extraction by an unprivileged tar would lose.
 *
 * Path rules follow Docker's archive unpacker, which BuildKit uses for ADD: member names are
 * cleaned and rooted at the destination (`/etc/x` lands in `<dest>/etc/x`); a name, hardlink target
 * or relative symlink target that climbs out of the destination fails the step.
 *
 * Small file bodies are held in memory; larger ones are spilled to private temporary files that
 * only hold bytes (their metadata stays in the entries).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { decompressStream } from '../layer/compress.js';
import type { LayerEntry } from '../layer/entry.js';
import { readTar } from '../layer/tar-reader.js';
import { BuildError } from './errors.js';

/** Options of {@link archiveEntries}. */
export interface ArchiveEntryOptions {
  /** Absolute destination directory in the image (symlinks in the image already resolved). */
  dest: string;
  /** `--chown`: replaces the archive's owners when given. */
  uid?: number | undefined;
  gid?: number | undefined;
  /** `--chmod`: replaces files' and directories' permission bits when given. */
  chmod?: number | undefined;
  /** SOURCE_DATE_EPOCH: replaces the archive's mtimes when given. */
  epoch?: number | undefined;
  /** Where bodies too large to hold in memory are spilled (a private directory is created inside). */
  tmpRoot: string;
  /** Bodies up to this size are kept in memory (default 1 MiB), ... */
  memoryFileLimit?: number | undefined;
  /** ... while their total stays under this (default 64 MiB). */
  memoryTotalLimit?: number | undefined;
}

/** The entries of an archive, and the spill directory to remove once the layer is written. */
export interface ArchiveEntries {
  entries: LayerEntry[];
  spillDir?: string | undefined;
}

const CLI_DECOMPRESSORS: Record<string, [string, string[], string]> = {
  bzip2: ['bzip2', ['-dc'], 'bzip2'],
  xz: ['xz', ['-dc'], 'xz-utils'],
};

/** The archive's decompressed tar bytes: gzip/zstd/plain in-process, bzip2/xz through their CLIs. */
async function* tarBytes(path: string, kind: string): AsyncGenerator<Uint8Array> {
  const cli = CLI_DECOMPRESSORS[kind];
  if (!cli) {
    yield* decompressStream(createReadStream(path));
    return;
  }
  const [command, args, pkg] = cli;
  const child = spawn(command, [...args, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', (err) =>
      reject(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new BuildError('ERR_TOOL_MISSING', `"${command}" is needed to extract this ${kind} archive`, { hint: `install it: apt-get install ${pkg}` })
          : err,
      ),
    );
    child.on('close', resolve);
  });
  closed.catch(() => undefined);
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await closed;
    if (code !== 0) throw new BuildError('ERR_ARCHIVE', `${command} failed on ${path}: ${stderr.trim()}`);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/** A member name cleaned the way Docker's unpacker does, relative to the destination; climbing out fails. */
function cleanMember(name: string, archive: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw outside(name, archive);
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function outside(name: string, archive: string): BuildError {
  return new BuildError('ERR_ARCHIVE_UNSAFE_PATH', `archive ${archive}: member "${name}" is outside of the destination`, {
    hint: 'the archive must not hold names, hardlinks or symlinks that climb out with ".."',
  });
}

/** Reads a local archive into layer entries under `options.dest` (see the module comment for the rules). */
export async function archiveEntries(path: string, kind: string, archiveName: string, options: ArchiveEntryOptions): Promise<ArchiveEntries> {
  const dest = options.dest.replace(/^\/+/, '').replace(/\/+$/, '');
  const at = (clean: string): string => (dest === '' ? clean : clean === '' ? dest : `${dest}/${clean}`);
  const fileLimit = options.memoryFileLimit ?? 1 << 20;
  const totalLimit = options.memoryTotalLimit ?? 64 << 20;
  let inMemory = 0;
  let spillDir: string | undefined;
  let spilled = 0;
  const entries = new Map<string, LayerEntry>();
  try {
    for await (const member of readTar(tarBytes(path, kind))) {
      const clean = cleanMember(member.rawPath, archiveName);
      if (clean === '') {
        // The archive's own root: the destination directory keeps its metadata.
        for await (const _ of member.body());
        continue;
      }
      const entry: LayerEntry = {
        path: at(clean),
        type: member.type,
        mode: member.mode & 0o7777,
        uid: options.uid ?? member.uid,
        gid: options.gid ?? member.gid,
        mtime: options.epoch ?? member.mtime,
      };
      if (member.xattrs) entry.xattrs = member.xattrs;
      if (options.chmod !== undefined && (member.type === 'file' || member.type === 'dir')) entry.mode = options.chmod;
      if (member.type === 'hardlink') {
        entry.linkname = at(cleanMember(member.linkname, archiveName));
      } else if (member.type === 'symlink') {
        if (!member.linkname.startsWith('/')) cleanMember(posix.join(posix.dirname(clean), member.linkname), archiveName);
        entry.linkname = member.linkname;
      } else if (member.type === 'char' || member.type === 'block') {
        entry.devmajor = member.devmajor;
        entry.devminor = member.devminor;
      }
      if (member.type === 'file') {
        entry.size = member.size;
        if (member.size <= fileLimit && inMemory + member.size <= totalLimit) {
          const chunks: Buffer[] = [];
          for await (const chunk of member.body()) chunks.push(Buffer.from(chunk));
          entry.content = Buffer.concat(chunks);
          inMemory += member.size;
        } else {
          spillDir ??= await mkdtemp(join(options.tmpRoot, 'oci-kit-add-'));
          const file = join(spillDir, String(spilled++));
          await pipeline(Readable.from(member.body()), createWriteStream(file, { mode: 0o600, flags: 'wx' }));
          entry.sourcePath = file;
        }
      } else {
        for await (const _ of member.body());
      }
      // A later member of the same name replaces the earlier one, as on extraction.
      entries.delete(entry.path);
      entries.set(entry.path, entry);
    }
  } catch (err) {
    if (spillDir) await import('node:fs/promises').then((fs) => fs.rm(spillDir!, { recursive: true, force: true }));
    if (err instanceof BuildError) throw err;
    throw new BuildError('ERR_ARCHIVE', `cannot read archive ${archiveName}: ${(err as Error).message}`, { cause: err });
  }
  return { entries: [...entries.values()], spillDir };
}
