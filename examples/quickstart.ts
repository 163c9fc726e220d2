/**
 * The README's quick start, as a program CI runs: a scratch image with one file, built twice into
 * two stores to show that the digest is reproducible. Usage:
 *
 *     SOURCE_DATE_EPOCH=0 node --import tsx examples/quickstart.ts STORE_DIR
 */
import { ImageBuilder, OciLayout } from 'oci-kit';

const dir = process.argv[2];
if (!dir) throw new Error('usage: quickstart.ts STORE_DIR');
const store = await OciLayout.open(dir, { create: true });
const image = await ImageBuilder.scratch({ platform: 'linux/amd64' })
  .addFiles({ '/app/hello.txt': 'hello\n' })
  .workdir('/app')
  .cmd(['cat', 'hello.txt'])
  .build({ store });
await image.tag('hello:latest');
console.log(image.digest);
