/**
 * Resolving the config's `User` (`name`, `uid`, `name:group`, `uid:gid`) against the rootfs's own
 * /etc/passwd and /etc/group, with the rules Docker and runc apply (OCI image-spec, config.md
 * "User"; runc's `GetExecUser`): a numeric user absent from passwd runs with gid 0, a name that is
 * not in passwd is an error, an explicit group replaces the user's primary group, and the home
 * directory comes from passwd (else `/`).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { UnknownUserError } from './errors.js';
import { resolveInRootfs } from './rootfs-path.js';

/** A user as the process will run. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups from /etc/group membership (the primary group excluded). */
  additionalGids: number[];
  /** The passwd home directory, `/` when unknown. */
  home: string;
}

/** One /etc/passwd line. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** One /etc/group line. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const ID = /^\d+$/;
const MAX_ID = 0xfffffffe; // 2^32-1 is (uid_t)-1, never a real id

/** Parses /etc/passwd text; malformed lines are skipped as libc does. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields.length < 7 || !ID.test(fields[2]!) || !ID.test(fields[3]!)) continue;
    entries.push({ name: fields[0]!, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5]! });
  }
  return entries;
}

/** Parses /etc/group text; malformed lines are skipped. */
export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields.length < 4 || !ID.test(fields[2]!)) continue;
    const members = fields[3]!.split(',').map((m) => m.trim()).filter((m) => m !== '');
    entries.push({ name: fields[0]!, gid: Number(fields[2]), members });
  }
  return entries;
}

function parseId(text: string, what: string, spec: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id > MAX_ID) throw new UnknownUserError(`${what} id ${text} in USER "${spec}" is out of range`);
  return id;
}

/**
 * Resolves `spec` with the given passwd and group entries (pure; {@link resolveUser} reads them from
 * a rootfs). Throws {@link UnknownUserError} for a name that is not there.
 */
export function resolveUserSpec(spec: string | undefined, passwd: PasswdEntry[], groups: GroupEntry[]): ResolvedUser {
  const trimmed = (spec ?? '').trim();
  const [userPart = '', groupPart] = splitOnce(trimmed);
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (userPart === '') {
    const root = passwd.find((e) => e.uid === 0);
    if (root) ({ name, gid, home } = root);
  } else {
    const numeric = ID.test(userPart);
    const entry = numeric ? passwd.find((e) => e.uid === Number(userPart)) : passwd.find((e) => e.name === userPart);
    if (entry) {
      ({ uid, gid, home, name } = entry);
    } else if (numeric) {
      uid = parseId(userPart, 'user', trimmed);
    } else {
      throw new UnknownUserError(`unable to find user ${userPart}: no matching entries in passwd file`, {
        hint: 'add the user to the image (e.g. RUN adduser ...) before USER, or use a numeric uid',
      });
    }
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (ID.test(groupPart)) {
      gid = parseId(groupPart, 'group', trimmed);
    } else {
      const group = groups.find((g) => g.name === groupPart);
      if (!group) throw new UnknownUserError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = group.gid;
    }
  }
  const additionalGids =
    name === undefined || (groupPart !== undefined && groupPart !== '')
      ? []
      : [...new Set(groups.filter((g) => g.gid !== gid && g.members.includes(name)).map((g) => g.gid))];
  return { uid, gid, additionalGids, home: home === '' ? '/' : home };
}

function splitOnce(spec: string): [string, string?] {
  const colon = spec.indexOf(':');
  return colon < 0 ? [spec] : [spec.slice(0, colon), spec.slice(colon + 1)];
}

/** Resolves `spec` against the rootfs's /etc/passwd and /etc/group (missing files count as empty). */
export function resolveUser(rootfs: string, spec: string | undefined): ResolvedUser {
  return resolveUserSpec(spec, parsePasswd(readRootfsText(rootfs, '/etc/passwd')), parseGroup(readRootfsText(rootfs, '/etc/group')));
}

function readRootfsText(rootfs: string, path: string): string {
  try {
    return readFileSync(resolveInRootfs(rootfs, path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return '';
    throw err;
  }
}
