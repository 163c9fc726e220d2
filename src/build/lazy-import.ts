/**
 * Loads the registry module only when a build needs it (a FROM image missing from the store,
 * `Image.push`), so builds from local images never load the HTTP client.
 *
 * @module
 */
const specifiers = {
  registry: '../registry/index.js',
} as const;

/** Imports one of oci-kit's own modules by name. */
export async function importModule(name: keyof typeof specifiers): Promise<unknown> {
  const specifier: string = specifiers[name];
  return import(specifier);
}
