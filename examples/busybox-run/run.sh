#!/usr/bin/env bash
# Builds and runs the busybox-run example end to end: base image, Dockerfile build with RUN steps,
# `oci-kit run`, and `oci-kit run --commit`. Needs Linux with bubblewrap (or util-linux unshare)
# and busybox-static. Uses $OCI_KIT_STORE when set.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
oci_kit() { node --import tsx "$root/src/cli/bin.ts" "$@"; }

node --import tsx "$here/make-base.ts"
oci_kit build -t busybox-run:latest --build-arg GREETING=hi "$here"
oci_kit run --rm busybox-run:latest
oci_kit run --commit busybox-run:changed -m "add a note" busybox-run:latest sh -c 'echo note > /home/app/note'
oci_kit run busybox-run:changed cat /home/app/note
oci_kit history busybox-run:changed
