/**
 * Apache htpasswd files (`user:hash` per line), as the CNCF registry's `htpasswd` auth reads them:
 * bcrypt entries (`$2y$`, `$2a$`, `$2b$`, what `htpasswd -B` writes) and, for old files, `{SHA}`
 * (base64 SHA-1). Other hash formats are refused when the file is read, not silently ignored.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { InvalidInputError } from '../errors.js';

/** Checks a user name and password. */
export type PasswordVerifier = (username: string, password: string) => Promise<boolean>;

/** Parses htpasswd text into a verifier. Throws `ERR_INVALID_HTPASSWD` on a line it cannot use. */
export function parseHtpasswd(text: string, source = 'htpasswd'): PasswordVerifier {
  const users = new Map<string, string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (colon <= 0 || !(/^\$2[aby]\$\d\d\$/.test(hash) || hash.startsWith('{SHA}'))) {
      throw new InvalidInputError(`${source} line ${index + 1}: expected "user:<bcrypt or {SHA} hash>"`, {
        code: 'ERR_INVALID_HTPASSWD',
        hint: 'create entries with: htpasswd -Bbn USER PASSWORD',
      });
    }
    users.set(user, hash);
  }
  return async (username, password) => {
    const hash = users.get(username);
    if (hash === undefined) return false;
    if (hash.startsWith('{SHA}')) {
      const expected = Buffer.from(hash.slice(5), 'base64');
      const actual = createHash('sha1').update(password).digest();
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    }
    return bcrypt.compare(password, hash);
  };
}

/** Reads and parses an htpasswd file. */
export async function readHtpasswd(path: string): Promise<PasswordVerifier> {
  return parseHtpasswd(await readFile(path, 'utf8'), path);
}
