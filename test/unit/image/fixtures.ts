// Shared test data for the image model tests: small documents with real digests.
import { digestOf } from '../../../src/digest/hasher.js';
import type { Digest } from '../../../src/digest/digest.js';
import type { Descriptor } from '../../../src/image/types.js';

export const D1 = digestOf('one');
export const D2 = digestOf('two');
export const D3 = digestOf('three');

export function layer(content: string, mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip'): Descriptor {
  return { mediaType, digest: digestOf(content), size: Buffer.byteLength(content) };
}

export function ociManifestJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D1, size: 3 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D2, size: 3 }],
    ...overrides,
  };
}

export function ociIndexJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D1, size: 3, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D2, size: 3, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
    ...overrides,
  };
}

export function configJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    created: '2024-01-02T03:04:05.123456789Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [D3 as Digest] },
    history: [{ created: '2024-01-02T03:04:05Z', created_by: 'ADD rootfs.tar /' }],
    ...overrides,
  };
}

export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
