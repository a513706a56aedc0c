#!/usr/bin/env bash
# The Dockerfile's runtime stage without Docker: a minimal Debian bookworm root made by debootstrap,
# the stage's own RUN commands run in it (read from cluster/Dockerfile), the binary and scenes/
# copied where the image has them, then, as the image's user (uid 10001), `scenefarm devices --cpu`,
# a 4-frame render of scenes/minimal.yaml and `scenefarm verify` of it. It checks what `docker build`
# and `docker run` of the CPU image would: that the package list is enough for the binary and for
# Mesa's llvmpipe, and that the user can write /data. It is not the image (no layers, no
# ENTRYPOINT): for machines without a Docker engine.
#
#   swift build -c release --static-swift-stdlib --product scenefarm --build-path .build/static
#   sudo cluster/runtime-chroot.sh .build/static/release/scenefarm
#
# Needs root, debootstrap (apt-get install debootstrap) and Debian's mirror; about 2 minutes and
# 500 MB under /tmp, all removed on exit.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-}"
fail() {
  echo "runtime-chroot: $*" >&2
  exit 1
}
[ -n "$binary" ] || fail "usage: sudo $0 path/to/scenefarm (built with --static-swift-stdlib)"
[ -x "$binary" ] || fail "no executable at $binary; usage: sudo $0 path/to/scenefarm (built with --static-swift-stdlib)"
[ "$(id -u)" -eq 0 ] || fail "must run as root (debootstrap, chroot)"
command -v debootstrap >/dev/null || fail "debootstrap not found: apt-get install debootstrap"
if ldd "$binary" | grep -q "libswiftCore"; then
  fail "$binary loads the Swift runtime from the toolchain; build it as the image does, with --static-swift-stdlib"
fi

root="$(mktemp -d /tmp/scenefarm-rootfs.XXXXXX)"
chmod 755 "$root" # the root of the image's file system: uid 10001 must get through it
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
echo "runtime-chroot: debootstrap --variant=minbase bookworm ($mirror)" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -n 20 "$root.log" >&2
  rm -f "$root.log"
  fail "debootstrap failed"
}
rm -f "$root.log"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"

# The runtime stage's RUN commands, exactly as the Dockerfile has them.
while IFS= read -r command; do
  echo "runtime-chroot: RUN ${command:0:100}..." >&2
  chroot "$root" /bin/sh -c "$command" >"$root/run.log" 2>&1 || {
    tail -n 20 "$root/run.log" >&2
    fail "a RUN command of the runtime stage failed"
  }
done < <(python3 "$repo/cluster/validate.py" run-lines "$repo/cluster/Dockerfile" runtime)

# COPY --from=build /out/scenefarm /usr/local/bin/scenefarm; COPY scenes /opt/scenefarm/scenes
install -m 0755 "$binary" "$root/usr/local/bin/scenefarm"
mkdir -p "$root/opt/scenefarm"
cp -r "$repo/scenes" "$root/opt/scenefarm/scenes"

# USER 10001:10001, WORKDIR /data
as_image_user() {
  chroot --userspec=10001:10001 "$root" /usr/bin/env -i HOME=/var/lib/scenefarm PATH=/usr/local/bin:/usr/bin:/bin \
    /bin/sh -c "cd /data && $1"
}
as_image_user "scenefarm devices --cpu" >"$root/devices.log" 2>&1 || {
  cat "$root/devices.log" >&2
  fail "scenefarm devices --cpu failed in the runtime root"
}
renderer="$(grep -m1 "GL renderer" "$root/devices.log" | sed 's/.*GL renderer: *//')"
as_image_user "scenefarm render /opt/scenefarm/scenes/minimal.yaml --out /data/check --frames 4 && scenefarm verify /data/check" \
  >"$root/render.log" 2>&1 || {
  cat "$root/render.log" >&2
  fail "render or verify failed in the runtime root"
}
packages="$(chroot "$root" dpkg-query -W -f '.\n' | wc -l)"
echo "runtime-chroot: the runtime stage ($packages packages) runs $(basename "$binary") as uid 10001: $renderer, 4 frames rendered and verified"
