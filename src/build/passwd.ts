/**
 * Resolves `--chown=user[:group]` names to numeric ids from the image's own `/etc/passwd` and
 * `/etc/group` (parsed by the executor's account-file parser), as Docker does. Numeric parts are
 * used as they are. Docker's rule for a missing group: the gid is the same number as the uid
 * (Dockerfile reference, COPY --chown), unlike USER, where it is the user's primary group.
 *
 * @module
 */
import { BuildError } from './errors.js';
import { parseGroup, parsePasswd } from './executor/user.js';

/** Reads a file of the image (absolute path), or undefined when it does not exist. */
export type ReadImageFile = (path: string) => Promise<string | undefined>;

/** Numeric owner. */
export interface Owner {
  uid: number;
  gid: number;
}

/** Resolves `user[:group]` against the image's account files. */
export async function resolveOwner(spec: string, readFile: ReadImageFile): Promise<Owner> {
  const colon = spec.indexOf(':');
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? undefined : spec.slice(colon + 1);
  const numeric = (s: string) => /^\d+$/.test(s);
  let uid: number;
  if (numeric(userPart)) uid = Number(userPart);
  else {
    const found = parsePasswd((await readFile('/etc/passwd')) ?? '').find((entry) => entry.name === userPart)?.uid;
    if (found === undefined) {
      throw new BuildError('ERR_UNKNOWN_USER', `unable to find user ${userPart}: no matching entries in passwd file`, {
        hint: 'use a numeric uid, or create the user in an earlier step',
      });
    }
    uid = found;
  }
  let gid = uid;
  if (groupPart !== undefined && groupPart !== '') {
    if (numeric(groupPart)) gid = Number(groupPart);
    else {
      const found = parseGroup((await readFile('/etc/group')) ?? '').find((entry) => entry.name === groupPart)?.gid;
      if (found === undefined) {
        throw new BuildError('ERR_UNKNOWN_GROUP', `unable to find group ${groupPart}: no matching entries in group file`, {
          hint: 'use a numeric gid, or create the group in an earlier step',
        });
      }
      gid = found;
    }
  }
  return { uid, gid };
}

/** True when the spec needs the image's account files (it names a user or group). */
export function ownerNeedsLookup(spec: string): boolean {
  return spec.split(':').some((p) => p !== '' && !/^\d+$/.test(p));
}
