#!/bin/sh
# Installs what building and testing need on Debian, skipping what is
# already there. Needs root for apt-get: asks sudo when run as a user.
set -eu


packages="gcc g++ binutils nasm meson ninja-build python3 qemu-system-x86 gdb cpio googletest libgtest-dev clang libclang-rt-14-dev"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "install-deps: installing$missing"
    as_root=""
    [ "$(id -u)" = 0 ] || as_root=sudo
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
else
    echo "install-deps: all packages present"
fi
