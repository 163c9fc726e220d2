/**
 * `oci-kit/testing`: an in-process OCI registry for tests, with Basic/Bearer auth, a built-in token
 * endpoint, and fault injection; plus the htpasswd reader it uses.
 *
 * @module
 */
export { TestRegistry, type TestRegistryOptions, type TestRegistryAuth, type TestUsers, type LoggedRequest } from './test-registry.js';
export type { Fault, FaultAction, FaultMatch } from './faults.js';
export { parseHtpasswd, readHtpasswd, type PasswordVerifier } from './htpasswd.js';
