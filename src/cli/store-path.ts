/**
 * Where the default store lives: `$OCI_KIT_STORE`, else `$XDG_DATA_HOME/oci-kit/store`, else
 * `~/.local/share/oci-kit/store`. `--store DIR` on any command overrides all of them.
 *
 * @module
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Resolves the store directory from an explicit path and the environment. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env, explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (env.OCI_KIT_STORE) return resolve(env.OCI_KIT_STORE);
  if (env.XDG_DATA_HOME) return join(resolve(env.XDG_DATA_HOME), 'oci-kit', 'store');
  return join(env.HOME || homedir(), '.local', 'share', 'oci-kit', 'store');
}
