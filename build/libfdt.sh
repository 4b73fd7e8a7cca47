#!/bin/sh
# libfdt comes from the Linux tree (scripts/dtc/libfdt). Copy its sources to
# out/libfdt; the Makefile compiles them freestanding for the hypervisor and
# natively for host unit tests.
set -eu
. "$(dirname "$0")/common.sh"
unpack_linux
mkdir -p "$OUT/libfdt"
cp "$SRC"/scripts/dtc/libfdt/*.[ch] "$OUT/libfdt/"
touch "$OUT/libfdt/.stamp"
