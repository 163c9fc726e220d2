/**
 * oci-kit: build, inspect and ship OCI/Docker container images with no daemon.
 *
 * The root export gathers the most used pieces; each domain is also a sub-path export
 * (`oci-kit/store`, `oci-kit/layer`, `oci-kit/dockerfile`, `oci-kit/registry`, ...).
 *
 * @module
 */
export * from './errors.js';
export * from './digest/index.js';
