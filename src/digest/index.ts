/**
 * Digests: parsing and validation, streaming hashers, and verification of content against a
 * promised digest and size.
 *
 * @module
 */
export * from './digest.js';
export * from './hasher.js';
export * from './verify.js';
