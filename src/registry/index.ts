/**
 * `oci-kit/registry`: the OCI distribution-spec client (`RegistryClient`), its authentication
 * (Bearer tokens, Basic, Docker config credentials and helpers), typed errors and events, and
 * image transfer between registries and stores (`pull`, `push`, `copy`).
 *
 * @module
 */
export { RegistryClient, MANIFEST_ACCEPT, nextLink, referrersTag, repositoryLabel } from './client.js';
export type { RegistryClientOptions, RepositoryName, FetchedManifest, CallOptions, RegistryRequest } from './client.js';
export { Authenticator, parseChallenges, mergeScopes, scopesCover, repositoryScope } from './auth.js';
export type { Credentials, CredentialProvider, Challenge } from './auth.js';
export {
  DOCKER_HUB_AUTH_KEY,
  authKey,
  credentialsFromDockerConfig,
  dockerConfigCredentials,
  dockerConfigPath,
  readDockerConfig,
  removeLogin,
  runCredentialHelper,
  saveLogin,
  writeDockerConfig,
} from './credentials.js';
export type { DockerConfig, DockerConfigOptions } from './credentials.js';
export { RegistryError, REGISTRY_ERROR_CODES, parseSpecErrors, errorFromResponse } from './errors.js';
export type { SpecErrorEntry, RegistryErrorOptions } from './errors.js';
export type { RegistryEvents, BlobProgress, BlobSkipped } from './events.js';
export { Transport, resolveEndpoint, isLoopback, retryAfterMs, DOCKER_HUB_HOST } from './transport.js';
export type { Endpoint, TransportOptions, RetryOptions, RetryInfo, RequestBody } from './transport.js';
export type { UploadOptions, UploadResult, UploadSource } from './upload.js';
export { copy, pull, push } from './copy.js';
export type { CopyOptions, CopyResult, ImageLocation } from './copy.js';
export { forEachLimit } from './limit.js';
export { parseImageLocation } from './location.js';
