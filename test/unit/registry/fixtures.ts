// Shared fixtures of the registry tests: a tiny one-layer image pushed to a TestRegistry.
import { MemoryStore } from '../../../src/store/memory.js';
import { push } from '../../../src/registry/copy.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { OCI } from '../../../src/image/media-types.js';
import type { TestRegistry } from '../../../src/testing/index.js';

/** Pushes a small image as `<registry>/<name>` (name with tag) and returns its manifest digest. */
export async function seedRegistry(registry: TestRegistry, name: string): Promise<string> {
  const store = new MemoryStore();
  const layer = await store.put(Buffer.from('cli layer'));
  const config = await store.put(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const manifest = await store.put(JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, config: { mediaType: OCI.config, ...config }, layers: [{ mediaType: OCI.layer, ...layer }] }));
  const ref = `${registry.host}/${name}`;
  await store.setTag(ref, { mediaType: OCI.manifest, ...manifest });
  const client = new RegistryClient({ dockerConfig: false });
  await push(store, ref, undefined, { client });
  client.close();
  return manifest.digest;
}
