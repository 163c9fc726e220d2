/**
 * Image references (`ubuntu`, `ghcr.io/org/app:1.2@sha256:...`): parsing and normalizing them exactly as
 * Docker does, and printing them in full or familiar form.
 *
 * @module
 */
export * from './errors.js';
export * from './grammar.js';
export * from './reference.js';
