#!/bin/sh
# Dump the device tree QEMU 7.2 builds for the board Vireo runs on, with two
# guest-loader modules as `make run` passes Dom0's kernel and initramfs.
# OpenSBI's edits (/reserved-memory) are not in it: -bios none.
# The module files have fixed sizes (4 KiB kernel, 8 KiB initrd), so
# test_dom0_dtb can check the reg values QEMU writes.
# Usage: gen-virt-dtb.sh OUT.dtb
set -eu
out=${1:?usage: $0 OUT.dtb}
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 4096 /dev/zero >"$tmp/kernel"
head -c 8192 /dev/zero >"$tmp/initrd"
# dumpdtb makes QEMU write the tree and exit before running anything.
qemu-system-riscv64 -M virt,dumpdtb="$out" -cpu rv64 -smp 2 -m 2G \
	-nographic -bios none \
	-device guest-loader,addr=0x82000000,kernel="$tmp/kernel",bootargs="console=ttyS0 root=x" \
	-device guest-loader,addr=0x88000000,initrd="$tmp/initrd" 2>/dev/null
test -s "$out"
