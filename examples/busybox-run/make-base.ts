// Makes the `busybox:local` base image the Dockerfile starts from: one layer with the host's
// static busybox (Debian package busybox-static) and its applet links, written into the store
// `oci-kit` uses ($OCI_KIT_STORE, --store, or the default). Usage:
//   node --import tsx examples/busybox-run/make-base.ts [STORE_DIR]
import { OciLayout, createBusyboxImage, defaultStorePath } from 'oci-kit';

const storeDir = defaultStorePath(process.env, process.argv[2]);
const store = await OciLayout.open(storeDir, { create: true });
const image = await createBusyboxImage(store, { tag: 'busybox:local' });
console.log(`busybox:local ${image.descriptor.digest} (${storeDir})`);
