/**
 * Image locations as the CLI writes them (the `copy` syntax, after skopeo's transports):
 * `oci:DIR:NAME` (an OCI image layout directory and the tag in its index.json), `docker://REF` or
 * a plain reference (a registry), and `store:NAME` (oci-kit's own store, given by the caller).
 *
 * @module
 */
import { OciKitError } from '../errors.js';
import type { ImageStore } from '../store/blob-store.js';
import { OciLayout } from '../store/layout.js';
import type { ImageLocation } from './copy.js';

/**
 * Parses a location string. `oci:` layouts are opened (created when `create`); `store:` needs the
 * default store (opened lazily by `openStore`).
 */
export async function parseImageLocation(
  text: string,
  options: { create?: boolean; openStore?: () => Promise<ImageStore> } = {},
): Promise<ImageLocation> {
  if (text.startsWith('oci:')) {
    const rest = text.slice(4);
    // The directory ends at the first colon; the name may hold colons (`oci:./dir:app:1`).
    const cut = rest.indexOf(':');
    if (cut <= 0 || cut === rest.length - 1) {
      throw new OciKitError('ERR_INVALID_LOCATION', `"${text}" needs a directory and a name: oci:DIR:NAME`, { hint: 'for example oci:./layout:latest' });
    }
    const dir = rest.slice(0, cut);
    const name = rest.slice(cut + 1);
    const store = await OciLayout.open(dir, { create: options.create ?? false });
    return { type: 'store', store, name };
  }
  if (text.startsWith('store:')) {
    if (!options.openStore) throw new OciKitError('ERR_INVALID_LOCATION', `"${text}": no store to read from`);
    return { type: 'store', store: await options.openStore(), name: text.slice(6) };
  }
  return { type: 'registry', reference: text.startsWith('docker://') ? text.slice(9) : text };
}
